#!/bin/bash
# backup-dynamodb.sh

TABLES=("flightdata-main" "flightdata-metrics" "flightdata-config")
BACKUP_PREFIX="daily-backup-$(date +%Y%m%d)"

for table in "${TABLES[@]}"; do
    echo "Creating backup for $table..."
    
    aws dynamodb create-backup \
        --table-name "$table" \
        --backup-name "${BACKUP_PREFIX}-${table}"
    
    # Also enable point-in-time recovery if not already enabled
    aws dynamodb update-continuous-backups \
        --table-name "$table" \
        --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true
done

# Export to S3 for cross-region backup
for table in "${TABLES[@]}"; do
    aws dynamodb export-table-to-point-in-time \
        --table-arn "arn:aws:dynamodb:us-east-1:ACCOUNT:table/${table}" \
        --s3-bucket "flightdata-backups" \
        --s3-prefix "dynamodb-exports/${table}/$(date +%Y/%m/%d)/"
done
