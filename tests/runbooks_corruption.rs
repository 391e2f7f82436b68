//! The data-corruption and infrastructure-loss runbooks: their files as shipped.

const DATA_CORRUPTION: &str = include_str!("../templates/runbooks/data-corruption.toml");
const INFRASTRUCTURE_LOSS: &str = include_str!("../templates/runbooks/infrastructure-loss.toml");

fn parse(text: &str) -> drconsole::runbook::Runbook {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn both_files_parse_as_runbooks() {
    let corruption = parse(DATA_CORRUPTION);
    assert_eq!(corruption.name.get_ref(), "data-corruption");
    let loss = parse(INFRASTRUCTURE_LOSS);
    assert_eq!(loss.name.get_ref(), "infrastructure-loss");
    for runbook in [&corruption, &loss] {
        for step in runbook.steps() {
            assert!(step.title.chars().count() <= 40, "{}", step.title);
        }
    }
}
