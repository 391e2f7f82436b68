#!/usr/bin/env python3
"""Seeds a moto_server with the Disaster Recovery Plan's estate, so drconsole has something
real to look at without an AWS account. boto3 comes with moto[server].

Usage: seed_moto.py ENDPOINT_URL
"""
import io
import json
import sys
import zipfile
from datetime import datetime, timezone

import boto3

PRIMARY, BACKUP = "us-east-1", "us-west-2"
TABLES = ["flightdata-main", "flightdata-metrics", "flightdata-config"]
BUCKETS = ["flightdata-raw", "flightdata-processed", "flightdata-analytics"]
FUNCTIONS = ["flightdata-api", "flightdata-processor", "flightdata-ingest"]
ALARMS = ["flightdata-api-errors", "flightdata-ingestion-lag", "flightdata-dynamodb-throttles"]


def client(service, endpoint, region=PRIMARY):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def code_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def main(endpoint):
    ddb = client("dynamodb", endpoint)
    for table in TABLES:
        ddb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for i in range(25):
            ddb.put_item(TableName=table, Item={"id": {"S": f"{table}-{i}"}, "n": {"N": str(i)}})
        ddb.update_continuous_backups(
            TableName=table,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
        ddb.create_backup(TableName=table, BackupName=f"daily-backup-{stamp}-{table}")

    s3 = client("s3", endpoint)
    s3_backup = client("s3", endpoint, BACKUP)
    for bucket in BUCKETS:
        replica = f"{bucket}-backup-{BACKUP}"
        s3.create_bucket(Bucket=bucket)
        s3_backup.create_bucket(
            Bucket=replica, CreateBucketConfiguration={"LocationConstraint": BACKUP}
        )
        for b in (bucket, replica):
            client("s3", endpoint).put_bucket_versioning(
                Bucket=b, VersioningConfiguration={"Status": "Enabled"}
            )
        s3.put_bucket_replication(
            Bucket=bucket,
            ReplicationConfiguration={
                "Role": "arn:aws:iam::123456789012:role/replication-role",
                "Rules": [
                    {
                        "ID": "ReplicateEverything",
                        "Status": "Enabled",
                        "Prefix": "",
                        "Destination": {
                            "Bucket": f"arn:aws:s3:::{replica}",
                            "StorageClass": "STANDARD_IA",
                        },
                    }
                ],
            },
        )
        # moto never replicates: put the same objects in the replica ourselves.
        for i in range(20):
            key = f"2026/11/part-{i:04}.json"
            s3.put_object(Bucket=bucket, Key=key, Body=b'{"flight":"XY123"}')
            s3_backup.put_object(Bucket=replica, Key=key, Body=b'{"flight":"XY123"}')
    s3.create_bucket(Bucket="flightdata-backups")
    stamp = datetime.now(timezone.utc).strftime("%Y/%m/%d")
    s3.put_object(
        Bucket="flightdata-backups",
        Key=f"dynamodb-exports/flightdata-main/{stamp}/manifest-summary.json",
        Body=b"{}",
    )
    s3.create_bucket(Bucket="flightdata-lambda-backups")

    iam = client("iam", endpoint)
    role = iam.create_role(
        RoleName="flightdata-lambda",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    lam = client("lambda", endpoint)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    for fn in FUNCTIONS:
        lam.create_function(
            FunctionName=fn,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code_zip()},
        )
        prefix = f"lambda-backups/{stamp}/{fn}/"
        s3.put_object(Bucket="flightdata-lambda-backups", Key=f"{prefix}{fn}-config.json", Body=b"{}")
        s3.put_object(Bucket="flightdata-lambda-backups", Key=f"{prefix}{fn}-code.zip", Body=code_zip())

    r53 = client("route53", endpoint)
    zone = r53.create_hosted_zone(Name="flightdata.example.com.", CallerReference="seed")
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    check = r53.create_health_check(
        CallerReference="seed-api",
        HealthCheckConfig={
            "Type": "HTTPS",
            "FullyQualifiedDomainName": "api-east.flightdata.example.com",
            "Port": 443,
            "ResourcePath": "/health",
        },
    )["HealthCheck"]["Id"]
    changes = []
    for ident, role_name, ip, hc in (
        ("primary", "PRIMARY", "203.0.113.10", check),
        ("secondary", "SECONDARY", "203.0.113.20", None),
    ):
        record = {
            "Name": "api.flightdata.example.com.",
            "Type": "A",
            "SetIdentifier": ident,
            "Failover": role_name,
            "TTL": 60,
            "ResourceRecords": [{"Value": ip}],
        }
        if hc:
            record["HealthCheckId"] = hc
        changes.append({"Action": "CREATE", "ResourceRecordSet": record})
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})

    cw = client("cloudwatch", endpoint)
    for alarm in ALARMS:
        cw.put_metric_alarm(
            AlarmName=alarm,
            MetricName="Errors",
            Namespace="AWS/Lambda",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanThreshold",
        )
    print(f"seeded the plan's estate into {endpoint} (hosted zone {zone_id})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
