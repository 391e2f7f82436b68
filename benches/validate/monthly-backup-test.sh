#!/bin/bash
# monthly-backup-test.sh

echo "=== MONTHLY BACKUP VALIDATION TEST ==="

# Test 1: Verify backup integrity
echo "Testing backup integrity..."

# Test DynamoDB backups
for table in flightdata-main flightdata-metrics; do
    LATEST_BACKUP=$(aws dynamodb list-backups --table-name "$table" --query 'BackupSummaries[0].BackupArn' --output text)
    
    if [ "$LATEST_BACKUP" != "None" ]; then
        echo "✓ Latest backup found for $table: $LATEST_BACKUP"
        
        # Test restore (to temporary table)
        aws dynamodb restore-table-from-backup \
            --target-table-name "${table}-test-restore" \
            --backup-arn "$LATEST_BACKUP"
        
        # Wait for restore and verify
        aws dynamodb wait table-exists --table-name "${table}-test-restore"
        
        # Verify record count
        ORIGINAL_COUNT=$(aws dynamodb scan --table-name "$table" --select COUNT --query 'Count' --output text)
        RESTORED_COUNT=$(aws dynamodb scan --table-name "${table}-test-restore" --select COUNT --query 'Count' --output text)
        
        if [ "$ORIGINAL_COUNT" -eq "$RESTORED_COUNT" ]; then
            echo "✓ Backup validation successful for $table"
        else
            echo "✗ Backup validation failed for $table (counts don't match)"
        fi
        
        # Cleanup test table
        aws dynamodb delete-table --table-name "${table}-test-restore"
    else
        echo "✗ No backup found for $table"
    fi
done

# Test 2: Verify S3 replication
echo "Testing S3 replication..."
for bucket in flightdata-raw flightdata-processed; do
    PRIMARY_OBJECTS=$(aws s3 ls "s3://$bucket/" --recursive | wc -l)
    BACKUP_OBJECTS=$(aws s3 ls "s3://$bucket-backup-us-west-2/" --recursive --region us-west-2 | wc -l)
    
    REPLICATION_RATE=$(echo "scale=2; $BACKUP_OBJECTS / $PRIMARY_OBJECTS * 100" | bc)
    
    if (( $(echo "$REPLICATION_RATE >= 95" | bc -l) )); then
        echo "✓ S3 replication for $bucket: ${REPLICATION_RATE}%"
    else
        echo "✗ S3 replication for $bucket low: ${REPLICATION_RATE}%"
    fi
done

# Test 3: Verify Lambda backups
echo "Testing Lambda backups..."
FUNCTIONS=$(aws lambda list-functions --query 'Functions[?starts_with(FunctionName, `flightdata`)].FunctionName' --output text)

for function in $FUNCTIONS; do
    if aws s3 ls "s3://flightdata-lambda-backups/lambda-backups/latest/$function/" >/dev/null 2>&1; then
        echo "✓ Backup exists for $function"
    else
        echo "✗ No backup found for $function"
    fi
done

echo "Backup validation test complete."
