//! DynamoDB exports and imports: describing them, listing a table's exports, and
//! `ImportTable` (the restore path that needs nothing of the source's region); and reading
//! back one small S3 object, the schema saved beside an export.

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, ExportDescription, GlobalSecondaryIndex,
    ImportTableDescription, InputCompressionType, InputFormat, KeySchemaElement, KeyType,
    Projection, ProjectionType, ProvisionedThroughput, S3BucketSource, ScalarAttributeType,
    TableCreationParameters,
};

use super::{AwsCloud, cloud_error, missing, request_id, to_chrono};
use crate::cloud::{
    CloudError, CloudResult, ErrorKind, ExportInfo, ImportInfo, ImportRequest, IndexDef,
    KeyElement, Sent, WriteOutput,
};

const SERVICE: &str = "dynamodb";

pub(super) fn export_info(d: &ExportDescription) -> ExportInfo {
    ExportInfo {
        arn: d.export_arn().unwrap_or_default().to_owned(),
        status: d
            .export_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        bucket: d.s3_bucket().map(str::to_owned),
        prefix: d.s3_prefix().map(str::to_owned),
        export_time: d.export_time().and_then(to_chrono),
        items: d.item_count(),
        failure: failure(d.failure_code(), d.failure_message()),
    }
}

fn import_info(d: &ImportTableDescription) -> ImportInfo {
    ImportInfo {
        arn: d.import_arn().unwrap_or_default().to_owned(),
        status: d
            .import_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        table_arn: d.table_arn().map(str::to_owned),
        imported_items: Some(d.imported_item_count()),
        failure: failure(d.failure_code(), d.failure_message()),
    }
}

/// AWS's code and message, as one line.
fn failure(code: Option<&str>, message: Option<&str>) -> Option<String> {
    match (code, message) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

fn keys(op: &'static str, schema: &[KeyElement]) -> CloudResult<Vec<KeySchemaElement>> {
    schema
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(|e| build_error(op, e))
        })
        .collect()
}

fn build_error(op: &'static str, e: BuildError) -> CloudError {
    CloudError::new(SERVICE, op, ErrorKind::Client, e.to_string())
}

fn throughput(op: &'static str, (read, write): (i64, i64)) -> CloudResult<ProvisionedThroughput> {
    ProvisionedThroughput::builder()
        .read_capacity_units(read)
        .write_capacity_units(write)
        .build()
        .map_err(|e| build_error(op, e))
}

fn global_index(op: &'static str, index: &IndexDef) -> CloudResult<GlobalSecondaryIndex> {
    let projection = Projection::builder()
        .projection_type(ProjectionType::from(index.projection.as_str()))
        .set_non_key_attributes(
            (!index.non_key_attributes.is_empty()).then(|| index.non_key_attributes.clone()),
        )
        .build();
    GlobalSecondaryIndex::builder()
        .index_name(&index.name)
        .set_key_schema(Some(keys(op, &index.key_schema)?))
        .projection(projection)
        .set_provisioned_throughput(index.provisioned.map(|p| throughput(op, p)).transpose()?)
        .build()
        .map_err(|e| build_error(op, e))
}

/// What `ImportTable` creates: the keys, the attributes the keys and global indexes use (it
/// refuses definitions no key uses), the global indexes, billing. Local indexes cannot be
/// made by an import; the action says so before it is sent.
fn creation_parameters(
    op: &'static str,
    import: &ImportRequest,
) -> CloudResult<TableCreationParameters> {
    let schema = &import.schema;
    let used: Vec<&str> = schema
        .key_schema
        .iter()
        .chain(schema.global_indexes.iter().flat_map(|g| &g.key_schema))
        .map(|k| k.attribute.as_str())
        .collect();
    let attributes = schema
        .attributes
        .iter()
        .filter(|a| used.contains(&a.name.as_str()))
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(&a.name)
                .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                .build()
                .map_err(|e| build_error(op, e))
        })
        .collect::<CloudResult<Vec<_>>>()?;
    let provisioned = schema.billing_mode == BillingMode::Provisioned.as_str();
    TableCreationParameters::builder()
        .table_name(&import.table)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(keys(op, &schema.key_schema)?))
        .billing_mode(BillingMode::from(schema.billing_mode.as_str()))
        .set_provisioned_throughput(
            schema
                .provisioned
                .filter(|_| provisioned)
                .map(|p| throughput(op, p))
                .transpose()?,
        )
        .set_global_secondary_indexes(
            (!schema.global_indexes.is_empty())
                .then(|| {
                    schema
                        .global_indexes
                        .iter()
                        .map(|g| global_index(op, g))
                        .collect::<CloudResult<Vec<_>>>()
                })
                .transpose()?,
        )
        .build()
        .map_err(|e| build_error(op, e))
}

/// The same import asked twice within eight hours is one import on AWS: a retry after a
/// lost answer cannot start a second one.
fn client_token(import: &ImportRequest) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(
        format!("{}\n{}\n{}", import.bucket, import.key_prefix, import.table).as_bytes(),
    );
    hex::encode(&digest[..16])
}

impl AwsCloud {
    #[tracing::instrument(level = "error", skip_all, fields(target = import_arn))]
    pub(super) async fn read_import(
        &self,
        region: &str,
        import_arn: &str,
    ) -> CloudResult<ImportInfo> {
        const OP: &str = "DescribeImport";
        let out = self
            .dynamodb(region)
            .describe_import()
            .import_arn(import_arn)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        out.import_table_description()
            .map(import_info)
            .ok_or_else(|| missing(SERVICE, OP, "ImportTableDescription"))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = export_arn))]
    pub(super) async fn read_export(
        &self,
        region: &str,
        export_arn: &str,
    ) -> CloudResult<ExportInfo> {
        const OP: &str = "DescribeExport";
        let out = self
            .dynamodb(region)
            .describe_export()
            .export_arn(export_arn)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        out.export_description()
            .map(export_info)
            .ok_or_else(|| missing(SERVICE, OP, "ExportDescription"))
    }

    #[tracing::instrument(level = "error", skip_all, fields(target = table_arn))]
    pub(super) async fn read_exports(
        &self,
        region: &str,
        table_arn: &str,
    ) -> CloudResult<Vec<ExportInfo>> {
        const OP: &str = "ListExports";
        let client = self.dynamodb(region);
        let mut arns = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let out = client
                .list_exports()
                .table_arn(table_arn)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| cloud_error(SERVICE, OP, e))?;
            arns.extend(
                out.export_summaries()
                    .iter()
                    .filter_map(|s| s.export_arn().map(str::to_owned)),
            );
            match out.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => break,
            }
        }
        // The summaries name neither bucket nor prefix: each is described.
        let mut exports = Vec::with_capacity(arns.len());
        for arn in arns {
            exports.push(self.read_export(region, &arn).await?);
        }
        Ok(exports)
    }

    /// Writes: reached only through [`crate::cloud::Writes::send`].
    #[tracing::instrument(level = "error", skip_all, fields(target = import.table.as_str()))]
    pub(crate) async fn import_table(
        &self,
        region: &str,
        import: &ImportRequest,
    ) -> CloudResult<Sent> {
        const OP: &str = "ImportTable";
        let source = S3BucketSource::builder()
            .s3_bucket(&import.bucket)
            .s3_key_prefix(&import.key_prefix)
            .build()
            .map_err(|e| build_error(OP, e))?;
        let out = self
            .dynamodb_write(region)
            .import_table()
            .client_token(client_token(import))
            .s3_bucket_source(source)
            // What ExportTableToPointInTime writes by default.
            .input_format(InputFormat::DynamodbJson)
            .input_compression_type(InputCompressionType::Gzip)
            .table_creation_parameters(creation_parameters(OP, import)?)
            .send()
            .await
            .map_err(|e| cloud_error(SERVICE, OP, e))?;
        let d = out
            .import_table_description()
            .ok_or_else(|| missing(SERVICE, OP, "ImportTableDescription"))?;
        Ok(Sent::new(
            request_id(&out),
            WriteOutput::Import(import_info(d)),
        ))
    }
}
