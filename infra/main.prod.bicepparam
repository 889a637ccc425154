using 'main.bicep'

param environmentName = 'prod'
// 1M gateways x 1 event/min ≈ 16,700 events/s: 17+ TU in, and partitions to spread the trigger (see README).
// Telemetry tables spread over 4 storage accounts by gateway (README: Cost and scale); only ever raise it.
param telemetryShardCount = 4
param telemetryPartitionCount = 32
param eventHubsThroughputUnits = 20
param eventHubsMaximumThroughputUnits = 40
param telemetryRetentionDays = 3
param maximumInstanceCount = 200
param instanceMemoryMB = 2048
param firstAdminEmail = 'admin@kpnet.example.jp'
param operatorEmail = 'operator@kpnet.example.jp'
param supportName = 'KP-NET サポートセンター'
param supportPhone = '0120-000-000'
param supportHours = '平日 9:00〜17:00'
param emailDomainManagement = 'CustomerManaged'
param customEmailDomain = 'mail.kpnet.example.jp'
param logRetentionDays = 90
