//! Each kind of mistake in a runbook, one broken file each under `tests/invalid_runbooks/`,
//! with the exact message the author sees: file:line:column, the line, a caret.

use std::path::Path;

use drconsole::config::ConfigError;
use drconsole::runbook::load;

use super::example;

/// The full message for `tests/invalid_runbooks/<name>.toml`.
fn error_for(name: &str) -> String {
    let path = format!("tests/invalid_runbooks/{name}.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    match load::parse(&text, Path::new(&path), &example()) {
        Ok(_) => panic!("{path} loaded, but it should be rejected"),
        Err(err @ ConfigError::Invalid { .. }) => err.to_string(),
        Err(other) => panic!("{path}: expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn every_invalid_fixture_is_rejected() {
    let mut count = 0;
    for entry in std::fs::read_dir("tests/invalid_runbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            error_for(path.file_stem().unwrap().to_str().unwrap());
            count += 1;
        }
    }
    assert!(count >= 15, "only {count} fixtures");
}

#[test]
fn action_without_resource() {
    assert_eq!(
        error_for("action-without-resource"),
        r#"tests/invalid_runbooks/action-without-resource.toml:11:8: an action step needs `resource`: what it acts on
    kind = "action"
           ^"#
    );
}

#[test]
fn argument_not_a_choice() {
    assert_eq!(
        error_for("argument-not-a-choice"),
        r#"tests/invalid_runbooks/argument-not-a-choice.toml:15:16: failover-dns: argument how must be one of health-check, records, not `weighted`
    args = { how = "weighted" }
                   ^"#
    );
}

#[test]
fn argument_not_a_number() {
    assert_eq!(
        error_for("argument-not-a-number"),
        r#"tests/invalid_runbooks/argument-not-a-number.toml:18:10: compare-tables: argument sample must be a whole number ≥ 0, not `lots`
    sample = "lots"
             ^"#
    );
}

#[test]
fn backward_goto() {
    assert_eq!(
        error_for("backward-goto"),
        r#"tests/invalid_runbooks/backward-goto.toml:20:48: `goto` goes back to step `call`, which comes before `ask`: a backward jump is a cycle; a step can only go to a later one
        { id = "no", label = "Call again", goto = "call" },
                                                   ^"#
    );
}

#[test]
fn bad_duration() {
    assert_eq!(
        error_for("bad-duration"),
        r#"tests/invalid_runbooks/bad-duration.toml:8:10: invalid duration "15 minutes": expected a whole number followed by s, m, h or d, like "15m" or "4h"
    target = "15 minutes"
             ^"#
    );
}

#[test]
fn bad_for_each() {
    assert_eq!(
        error_for("bad-for-each"),
        r#"tests/invalid_runbooks/bad-for-each.toml:13:12: for_each `every-table` is not one of tables, buckets, functions, tables-of:SERVICE, buckets-of:SERVICE, functions-of:SERVICE, input:NAME
    for_each = "every-table"
               ^"#
    );
}

#[test]
fn bad_on_failure() {
    assert_eq!(
        error_for("bad-on-failure"),
        r#"tests/invalid_runbooks/bad-on-failure.toml:13:14: on_failure `retry` is not `abort`, `continue` or `goto:STEP`
    on_failure = "retry"
                 ^"#
    );
}

#[test]
fn choice_input_without_choices() {
    assert_eq!(
        error_for("choice-input-without-choices"),
        r#"tests/invalid_runbooks/choice-input-without-choices.toml:6:8: input `service` is of kind "choice" but lists no `choices`
    name = "service"
           ^"#
    );
}

#[test]
fn decision_without_options() {
    assert_eq!(
        error_for("decision-without-options"),
        r#"tests/invalid_runbooks/decision-without-options.toml:11:8: a decision step needs `options`: at least one option to choose
    kind = "decision"
           ^"#
    );
}

#[test]
fn duplicate_input() {
    assert_eq!(
        error_for("duplicate-input"),
        r#"tests/invalid_runbooks/duplicate-input.toml:11:8: input `restore_time` is declared twice (first at line 6)
    name = "restore_time"
           ^"#
    );
}

#[test]
fn duplicate_phase_id() {
    assert_eq!(
        error_for("duplicate-phase-id"),
        r#"tests/invalid_runbooks/duplicate-phase-id.toml:15:6: phase `respond` is defined twice (first at line 6)
    id = "respond"
         ^"#
    );
}

#[test]
fn duplicate_step_id() {
    assert_eq!(
        error_for("duplicate-step-id"),
        r#"tests/invalid_runbooks/duplicate-step-id.toml:21:6: step `restore-table` is defined twice (first at line 10); step ids are unique in a runbook, nested steps included
    id = "restore-table"
         ^"#
    );
}

#[test]
fn field_not_for_kind() {
    assert_eq!(
        error_for("field-not-for-kind"),
        r#"tests/invalid_runbooks/field-not-for-kind.toml:13:10: a manual step takes no `action` (it takes `message`)
    action = "stop-ingestion"
             ^"#
    );
}

#[test]
fn for_each_unknown_service() {
    assert_eq!(
        error_for("for-each-unknown-service"),
        r#"tests/invalid_runbooks/for-each-unknown-service.toml:13:12: for_each names service `DynamoDB`, which is not in the estate's [[services]]; there are: API Gateway + Lambda, Data Ingestion Pipeline, DynamoDB Tables, S3 Data Storage, Athena Analytics, Monitoring/Alerting
    for_each = "tables-of:DynamoDB"
               ^"#
    );
}

#[test]
fn goto_into_another_list() {
    assert_eq!(
        error_for("goto-into-another-list"),
        r#"tests/invalid_runbooks/goto-into-another-list.toml:13:9: `next` goes to step `backup`, which is not in the same list of steps as `call`; a step can only go to a later step beside it
    next = "backup"
            ^"#
    );
}

#[test]
fn goto_no_step() {
    assert_eq!(
        error_for("goto-no-step"),
        r#"tests/invalid_runbooks/goto-no-step.toml:15:20: `on_failure` goes to step `stop-by-hand`, which does not exist
    on_failure = "goto:stop-by-hand"
                       ^"#
    );
}

#[test]
fn input_default_not_a_choice() {
    assert_eq!(
        error_for("input-default-not-a-choice"),
        r#"tests/invalid_runbooks/input-default-not-a-choice.toml:10:11: the default of input `service` must be one of DynamoDB Tables, S3 Data Storage, not `DynamoDB`
    default = "DynamoDB"
              ^"#
    );
}

#[test]
fn input_default_uses_later_step() {
    assert_eq!(
        error_for("input-default-uses-later-step"),
        r#"tests/invalid_runbooks/input-default-uses-later-step.toml:14:12: `{{ steps.ask-start.value }}`: step `ask-start` has not run by here (only earlier steps of this list or an enclosing one have; not a later step, a parallel sibling or a step nested in another)
    default = "{{ steps.ask-start.value }}"
               ^"#
    );
}

#[test]
fn input_name_not_snake_case() {
    assert_eq!(
        error_for("input-name-not-snake-case"),
        r#"tests/invalid_runbooks/input-name-not-snake-case.toml:6:8: input name `restore-time` is not snake_case (lowercase words joined by `_`, like `restore_time`)
    name = "restore-time"
           ^"#
    );
}

#[test]
fn input_step_undeclared() {
    assert_eq!(
        error_for("input-step-undeclared"),
        r#"tests/invalid_runbooks/input-step-undeclared.toml:18:9: no input `corruption_start` is declared in [[inputs]]; there are: restore_time
    input = "corruption_start"
            ^"#
    );
}

#[test]
fn item_outside_for_each() {
    assert_eq!(
        error_for("item-outside-for-each"),
        r#"tests/invalid_runbooks/item-outside-for-each.toml:14:13: `{{ item }}`: `item` only has a value inside a for_each step's steps
    resource = "{{ item }}"
                ^"#
    );
}

#[test]
fn missing_argument() {
    assert_eq!(
        error_for("missing-argument"),
        r#"tests/invalid_runbooks/missing-argument.toml:13:10: restore-pitr needs the argument `time` (the point to restore: RFC 3339 (2026-11-26T09:41:00Z), a UTC time (09:41), a time ago (-45m) or `latest`): add it under `args`
    action = "restore-pitr"
             ^"#
    );
}

#[test]
fn name_differs_from_file() {
    assert_eq!(
        error_for("name-differs-from-file"),
        r#"tests/invalid_runbooks/name-differs-from-file.toml:1:8: runbook name `region-failover` differs from its file's name `name-differs-from-file`: name the file `region-failover.toml`, or the runbook `name-differs-from-file`
    name = "region-failover"
           ^"#
    );
}

#[test]
fn name_not_kebab_case() {
    assert_eq!(
        error_for("name-not-kebab-case"),
        r#"tests/invalid_runbooks/name-not-kebab-case.toml:1:8: runbook name `Region_Failover` is not kebab-case (lowercase words joined by `-`, like `region-failover`)
    name = "Region_Failover"
           ^"#
    );
}

#[test]
fn next_inside_parallel() {
    assert_eq!(
        error_for("next-inside-parallel"),
        r#"tests/invalid_runbooks/next-inside-parallel.toml:20:8: step `protect-main` is inside a parallel step, whose steps all run at once: it cannot use `next`
    next = "protect-config"
           ^"#
    );
}

#[test]
fn output_of_a_group() {
    assert_eq!(
        error_for("output-of-a-group"),
        r#"tests/invalid_runbooks/output-of-a-group.toml:27:13: `{{ steps.tables.created }}`: step `tables` is a for_each step, which has no outputs
    resource = "{{ steps.tables.created }}"
                ^"#
    );
}

#[test]
fn output_of_a_later_step() {
    assert_eq!(
        error_for("output-of-a-later-step"),
        r#"tests/invalid_runbooks/output-of-a-later-step.toml:14:13: `{{ steps.restore.created }}`: step `restore` has not run by here (only earlier steps of this list or an enclosing one have; not a later step, a parallel sibling or a step nested in another)
    resource = "{{ steps.restore.created }}"
                ^"#
    );
}

#[test]
fn output_of_a_parallel_sibling() {
    assert_eq!(
        error_for("output-of-a-parallel-sibling"),
        r#"tests/invalid_runbooks/output-of-a-parallel-sibling.toml:26:13: `{{ steps.restore.created }}`: step `restore` has not run by here (only earlier steps of this list or an enclosing one have; not a later step, a parallel sibling or a step nested in another)
    resource = "{{ steps.restore.created }}"
                ^"#
    );
}

#[test]
fn restore_source_option() {
    assert_eq!(
        error_for("restore-source-option"),
        r#"tests/invalid_runbooks/restore-source-option.toml:17:12: option `snapshot` is not a restore source; with choose = "restore-source" the options are export, replica, pitr, backup
        { id = "snapshot", label = "A snapshot" },
               ^"#
    );
}

#[test]
fn restore_source_without_resource() {
    assert_eq!(
        error_for("restore-source-without-resource"),
        r#"tests/invalid_runbooks/restore-source-without-resource.toml:13:10: choose = "restore-source" needs `resource`: the table whose restore sources to offer
    choose = "restore-source"
             ^"#
    );
}

#[test]
fn steps_on_an_action() {
    assert_eq!(
        error_for("steps-on-an-action"),
        r#"tests/invalid_runbooks/steps-on-an-action.toml:17:6: an action step takes no `steps` (it takes `action`, `resource`, `args`)
    id = "check"
         ^"#
    );
}

#[test]
fn syntax_error() {
    assert_eq!(
        error_for("syntax-error"),
        r#"tests/invalid_runbooks/syntax-error.toml:7:17: invalid basic string, expected `"`
    title = "Respond
                    ^"#
    );
}

#[test]
fn unclosed_variable() {
    assert_eq!(
        error_for("unclosed-variable"),
        r#"tests/invalid_runbooks/unclosed-variable.toml:14:13: `{{` is not closed by `}}`
    resource = "{{ estate.name"
                ^"#
    );
}

#[test]
fn undeclared_input_variable() {
    assert_eq!(
        error_for("undeclared-input-variable"),
        r#"tests/invalid_runbooks/undeclared-input-variable.toml:20:18: `{{ inputs.restore_at }}`: no input `restore_at` is declared in [[inputs]]; there are: restore_time
    args = { time = "{{ inputs.restore_at }}" }
                     ^"#
    );
}

#[test]
fn undefined_variable_in_title() {
    assert_eq!(
        error_for("undefined-variable-in-title"),
        r#"tests/invalid_runbooks/undefined-variable-in-title.toml:12:27: `{{ item }}`: `item` only has a value inside a for_each step's steps
    title = "Turn PITR on for {{ item }}"
                              ^"#
    );
}

#[test]
fn unknown_action() {
    assert_eq!(
        error_for("unknown-action"),
        r#"tests/invalid_runbooks/unknown-action.toml:13:10: no action `restore-tabel`; there are: enable-pitr, backup-table, enable-versioning, put-replication, backup-function, stop-ingestion, restart-ingestion, set-alarm-state, failover-dns, update-stack, create-stack, delete-stack, restore-function, restore-backup, restore-pitr, reprotect-table, export-table, import-table, delete-table, copy-from-replica
    action = "restore-tabel"
             ^"#
    );
}

#[test]
fn unknown_argument() {
    assert_eq!(
        error_for("unknown-argument"),
        r#"tests/invalid_runbooks/unknown-argument.toml:15:49: restore-backup has no argument `colour` (it takes: backup, new-name, if-exists, region, timeout, protect, tag)
    args = { new-name = "flightdata-main-restored", colour = "red" }
                                                    ^"#
    );
}

#[test]
fn unknown_check() {
    assert_eq!(
        error_for("unknown-check"),
        r#"tests/invalid_runbooks/unknown-check.toml:13:9: no check `count`; there are: shell, count-items, find-invalid, compare-tables, check-access
    check = "count"
            ^"#
    );
}

#[test]
fn unknown_estate_name() {
    assert_eq!(
        error_for("unknown-estate-name"),
        r#"tests/invalid_runbooks/unknown-estate-name.toml:14:13: `{{ estate.ingest_function }}`: the estate has no such name; there are: estate.name, estate.primary_region, estate.backup_region, estate.ingestion_function, estate.export_bucket, estate.export_prefix, estate.lambda_backup_bucket, estate.lambda_backup_copy_bucket, estate.dns_record, estate.backup_stack, estate.production_stack, estate.emergency_stack
    resource = "{{ estate.ingest_function }}"
                ^"#
    );
}

#[test]
fn unknown_output() {
    assert_eq!(
        error_for("unknown-output"),
        r#"tests/invalid_runbooks/unknown-output.toml:21:13: `{{ steps.restore.table }}`: step `restore` has no output `table`; an action step has created, run, status, resource
    resource = "{{ steps.restore.table }}"
                ^"#
    );
}

#[test]
fn unknown_step_field() {
    assert_eq!(
        error_for("unknown-step-field"),
        r#"tests/invalid_runbooks/unknown-step-field.toml:13:1: unknown field `acton`, expected one of `id`, `kind`, `title`, `instructions`, `message`, `action`, `check`, `resource`, `args`, `until`, `region`, `input`, `options`, `choose`, `for_each`, `concurrency`, `steps`, `next`, `on_failure`, `max_attempts`, `timeout`, `target`
    acton = "stop-ingestion"
    ^"#
    );
}

#[test]
fn unreachable_step() {
    assert_eq!(
        error_for("unreachable-step"),
        r#"tests/invalid_runbooks/unreachable-step.toml:16:6: step `wait-for-team` is unreachable: the step before it goes elsewhere and no `next`, `goto` or `on_failure` leads here
    id = "wait-for-team"
         ^"#
    );
}

#[test]
fn wait_without_until() {
    assert_eq!(
        error_for("wait-without-until"),
        r#"tests/invalid_runbooks/wait-without-until.toml:11:8: a wait step needs `until`: the condition it waits for
    kind = "wait"
           ^"#
    );
}

#[test]
fn window_on_a_text_input() {
    assert_eq!(
        error_for("window-on-a-text-input"),
        r#"tests/invalid_runbooks/window-on-a-text-input.toml:8:18: `within_pitr_of` only goes with kind = "time"; input `reason` is not a time
    within_pitr_of = "flightdata-main"
                     ^"#
    );
}

#[test]
fn zero_concurrency() {
    assert_eq!(
        error_for("zero-concurrency"),
        r#"tests/invalid_runbooks/zero-concurrency.toml:14:15: concurrency must be at least 1 (it is how many run at once)
    concurrency = 0
                  ^"#
    );
}

#[test]
fn zero_max_attempts() {
    assert_eq!(
        error_for("zero-max-attempts"),
        r#"tests/invalid_runbooks/zero-max-attempts.toml:15:16: max_attempts must be at least 1 (the first try counts)
    max_attempts = 0
                   ^"#
    );
}

#[test]
fn goto_another_phase() {
    assert_eq!(
        error_for("goto-another-phase"),
        r#"tests/invalid_runbooks/goto-another-phase.toml:13:9: `next` goes to step `declare` of phase `declare-phase`; phases run one after another, so a step can only go to a later step of its own phase
    next = "declare"
            ^"#
    );
}

#[test]
fn goto_itself() {
    assert_eq!(
        error_for("goto-itself"),
        r#"tests/invalid_runbooks/goto-itself.toml:15:20: `on_failure` goes to step `stop` itself: that is a cycle; a step can only go to a later one
    on_failure = "goto:stop"
                       ^"#
    );
}

#[test]
fn unasked_input_default_uses_input() {
    assert_eq!(
        error_for("unasked-input-default-uses-input"),
        r#"tests/invalid_runbooks/unasked-input-default-uses-input.toml:13:12: `{{ inputs.table }}`: an input no step asks for gets its default before the run starts, when only estate.NAME and run.NAME have values; ask for it with an input step to use other inputs or steps' outputs
    default = "{{ inputs.table }}-recovery"
               ^"#
    );
}

#[test]
fn unknown_message() {
    assert_eq!(
        error_for("unknown-message"),
        r#"tests/invalid_runbooks/unknown-message.toml:13:11: no message template `progres-update` (there are: initial-declaration, progress-update, completion-notice, handoff-brief, stakeholder-summary)
    message = "progres-update"
              ^"#
    );
}
