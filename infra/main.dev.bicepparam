using 'main.bicep'

param environmentName = 'dev'
// Telemetry tables spread over 1 storage account by gateway (README: Cost and scale); only ever raise it.
param telemetryShardCount = 1
param telemetryPartitionCount = 2
param eventHubsThroughputUnits = 1
param maximumInstanceCount = 20
param instanceMemoryMB = 2048
param firstAdminEmail = 'admin@kpnet.example.jp'
param operatorEmail = 'operator@kpnet.example.jp'
param supportName = 'KP-NET サポートセンター'
param supportPhone = '0120-000-000'
param supportHours = '平日 9:00〜17:00'
param emailDomainManagement = 'AzureManaged'
