using 'main.bicep'

param environmentName = 'dev'
param telemetryPartitionCount = 2
param eventHubsThroughputUnits = 1
param maximumInstanceCount = 20
param instanceMemoryMB = 2048
param firstAdminEmail = 'admin@kpnet.example.jp'
param operatorEmail = 'operator@kpnet.example.jp'
param emailDomainManagement = 'AzureManaged'
