// KP-NET: everything the function app needs in Azure. No secrets in here: the app reaches storage, Event Hubs,
// ACS and Application Insights with its system-assigned managed identity; the only key material (the gateways'
// send-only SAS) is read from the Event Hubs namespace at deployment and kept in Key Vault.
targetScope = 'resourceGroup'

@description('Environment name, part of every resource name.')
@allowed(['dev', 'prod'])
param environmentName string

@description('Azure region for everything except the Static Web App.')
param location string = resourceGroup().location

@description('Region of the Static Web App (it is offered in fewer regions).')
param staticWebAppLocation string = 'eastasia'

@description('Partitions of the telemetry hub: the ceiling of parallel Event Hubs trigger instances; cannot shrink later.')
@minValue(1)
@maxValue(32)
param telemetryPartitionCount int = 4

@description('Event Hubs throughput units (1 TU = 1 MB/s or 1,000 events/s in).')
@minValue(1)
@maxValue(40)
param eventHubsThroughputUnits int = 1

@description('Upper bound of auto-inflate; 0 disables it.')
param eventHubsMaximumThroughputUnits int = 0

@description('Days raw events stay in Event Hubs (Capture keeps them in blob storage beyond that).')
@minValue(1)
@maxValue(7)
param telemetryRetentionDays int = 1

@description('Most function app instances Flex Consumption may scale out to.')
param maximumInstanceCount int = 100

@description('Memory per instance (MB): 512, 2048 or 4096.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('E-mail of the first operator account (registering with it grants the admin role).')
param firstAdminEmail string

@description('Mail domain: AzureManaged (quick, limited to a few mails a minute) or CustomerManaged (your verified domain).')
@allowed(['AzureManaged', 'CustomerManaged'])
param emailDomainManagement string = 'AzureManaged'

@description('Your mail domain when emailDomainManagement is CustomerManaged, e.g. mail.example.jp.')
param customEmailDomain string = ''

@description('Log retention in days.')
param logRetentionDays int = 30

@description('Address the operator alerts are mailed to (the action group).')
param operatorEmail string

@description('Who answers customers and dealers (運営), shown with phone and hours in the portal and in every mail.')
param supportName string

@description('The support phone number.')
param supportPhone string

@description('When the support phone is answered (e.g. 平日 9:00〜17:00).')
param supportHours string

@description('Failed requests and invocations (5xx, failed functions) in 5 minutes that wake the operator.')
@minValue(1)
param handlerFailureThreshold int = 5

@description('Storage accounts the per-gateway telemetry tables are spread over. Only ever raise it: a gateway keeps the shard it first sent to (README: Cost and scale).')
@minValue(1)
param telemetryShardCount int = 1

@description('Telemetry events dead-lettered for one reason in 15 minutes that count as a spike.')
@minValue(1)
param deadLetterSpikeThreshold int = 100

var suffix = uniqueString(resourceGroup().id, environmentName)
var names = {
  storage: take('stkpnet${environmentName}${suffix}', 24)
  eventHubs: 'evhns-kpnet-${environmentName}-${suffix}'
  plan: 'plan-kpnet-${environmentName}'
  functionApp: 'func-kpnet-${environmentName}-${suffix}'
  logs: 'log-kpnet-${environmentName}'
  insights: 'appi-kpnet-${environmentName}'
  keyVault: take('kv-kpnet-${environmentName}-${suffix}', 24)
  communication: 'acs-kpnet-${environmentName}-${suffix}'
  emailService: 'ecs-kpnet-${environmentName}-${suffix}'
  staticWebApp: 'stapp-kpnet-${environmentName}'
}

// The app's tables and queues (the same names the code registers; locally the app creates them itself).
var tableNames = [
  'GatewayInventory'
  'GatewaySerials'
  'GatewayClaims'
  'CustomerGateways'
  'RegistrationExpiries'
  'Accounts'
  'AccountIds'
  'AccountsByPhone'
  'ActivationTokens'
  'PasswordResetTokens'
  'EmailChangeTokens'
  'Sessions'
  'Throttles'
  'MailDeliveries'
  'MailsInFlight'
  'Notices'
  'GatewayHistory'
  'MaintenanceLinks'
  'DealerGateways'
  'Dealers'
  'AuditLog'
  'AuditLogByViewer'
  'Operators'
  'GatewaySettings'
  'RegistrationsInProgress'
]
// The per-gateway telemetry tables, in every telemetry account (locally the app creates them itself).
var telemetryTableNames = [
  'GatewayStatus'
  'TelemetryRollups'
  'TelemetryDeadLetters'
  'Alerts'
  'GatewayLastSeen'
]
var telemetryAccountNames = [for i in range(0, telemetryShardCount): take('stkpnet${environmentName}t${i}${suffix}', 24)]
var telemetryShardSettings = [for (account, i) in telemetryAccountNames: {
  name: 'TelemetryStorage__Shards__${i}__accountName'
  value: account
}]
var queueNames = [
  'email-outbox'
  'email-outbox-poison'
  'mail-requests'
  'mail-requests-poison'
  'telemetry-publisher-revocations'
  'telemetry-publisher-revocations-poison'
]
var deploymentContainer = 'app-package'
var captureContainer = 'telemetry-capture'
var telemetryHub = 'telemetry'
var telemetryConsumerGroup = 'kpnet-functions'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataOwner: 'f526a384-b230-433a-b45c-95f59c4a2dec'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
}

// ---------- Monitoring ----------
resource logs 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: names.logs
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.insights
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// ---------- Storage: tables, queues, host state, deployment package, telemetry capture ----------
resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: names.storage
  location: location
  sku: { name: environmentName == 'prod' ? 'Standard_ZRS' : 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobService
  name: deploymentContainer
}

resource telemetryCaptureContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobService
  name: captureContainer
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-09-01' = [for table in tableNames: {
  parent: tableService
  name: table
}]

// ---------- Telemetry storage: the per-gateway telemetry tables, spread over accounts by gateway ----------
resource telemetryStorage 'Microsoft.Storage/storageAccounts@2026-09-01' = [for account in telemetryAccountNames: {
  name: account
  location: location
  sku: { name: environmentName == 'prod' ? 'Standard_ZRS' : 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}]

resource telemetryTableServices 'Microsoft.Storage/storageAccounts/tableServices@2026-09-01' = [for (account, i) in telemetryAccountNames: {
  parent: telemetryStorage[i]
  name: 'default'
}]

resource telemetryTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-09-01' = [for j in range(0, telemetryShardCount * length(telemetryTableNames)): {
  parent: telemetryTableServices[j / length(telemetryTableNames)]
  name: telemetryTableNames[j % length(telemetryTableNames)]
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-09-01' = [for queue in queueNames: {
  parent: queueService
  name: queue
}]

// ---------- Event Hubs: gateways send here ----------
resource eventHubs 'Microsoft.EventHub/namespaces@2026-01-01' = {
  name: names.eventHubs
  location: location
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: eventHubsThroughputUnits
  }
  identity: { type: 'SystemAssigned' }
  properties: {
    minimumTlsVersion: '1.2'
    isAutoInflateEnabled: eventHubsMaximumThroughputUnits > 0
    maximumThroughputUnits: eventHubsMaximumThroughputUnits
  }
}

resource telemetry 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' = {
  parent: eventHubs
  name: telemetryHub
  properties: {
    partitionCount: telemetryPartitionCount
    messageRetentionInDays: telemetryRetentionDays
    captureDescription: {
      enabled: true
      encoding: 'Avro'
      intervalInSeconds: 300
      sizeLimitInBytes: 314572800
      skipEmptyArchives: true
      destination: {
        name: 'EventHubArchive.AzureBlockBlob'
        identity: { type: 'SystemAssigned' }
        properties: {
          storageAccountResourceId: storage.id
          blobContainer: captureContainer
          archiveNameFormat: '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'
        }
      }
    }
  }
  dependsOn: [captureWriter]
}

resource functionConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2026-01-01' = {
  parent: telemetry
  name: telemetryConsumerGroup
}

// Only the app holds this: it signs each gateway's token for its own publisher (telemetry/publishers/<gatewayId>).
resource gatewaySend 'Microsoft.EventHub/namespaces/eventhubs/authorizationRules@2026-01-01' = {
  parent: telemetry
  name: 'gateway-send'
  properties: { rights: ['Send'] }
}

// ---------- Mail: Azure Communication Services Email ----------
resource emailService 'Microsoft.Communication/emailServices@2026-03-18' = {
  name: names.emailService
  location: 'global'
  properties: { dataLocation: 'Japan' }
}

resource emailDomain 'Microsoft.Communication/emailServices/domains@2026-03-18' = {
  parent: emailService
  name: emailDomainManagement == 'AzureManaged' ? 'AzureManagedDomain' : customEmailDomain
  location: 'global'
  properties: {
    domainManagement: emailDomainManagement
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2026-03-18' = {
  name: names.communication
  location: 'global'
  properties: {
    dataLocation: 'Japan'
    linkedDomains: [emailDomain.id]
  }
}

// ---------- Key Vault (RBAC): the gateways' send connection string ----------
resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: names.keyVault
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: environmentName == 'prod' ? true : null
  }
}

resource gatewaySendSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'telemetry-gateway-send'
  properties: {
    value: gatewaySend.listKeys().primaryConnectionString
    contentType: 'Event Hubs connection string (send-only, telemetry hub): signs the gateways publisher tokens'
  }
}

// ---------- The function app: Flex Consumption, custom handler ----------
resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: names.plan
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: { reserved: true }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: names.functionApp
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'TelemetryEventHub__fullyQualifiedNamespace', value: '${eventHubs.name}.servicebus.windows.net' }
        { name: 'TelemetryGatewaySend', value: '@Microsoft.KeyVault(SecretUri=${gatewaySendSecret.properties.secretUri})' }
        { name: 'Email__Endpoint', value: 'https://${communication.properties.hostName}' }
        { name: 'Email__SenderAddress', value: 'DoNotReply@${emailDomain.properties.mailFromSenderDomain}' }
        { name: 'Portal__BaseUrl', value: 'https://${staticWebApp.properties.defaultHostname}' }
        { name: 'Support__Name', value: supportName }
        { name: 'Support__Phone', value: supportPhone }
        { name: 'Support__Hours', value: supportHours }
        { name: 'Admin__FirstAdminEmail', value: firstAdminEmail }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
      ], telemetryShardSettings)
    }
  }
}

// ---------- Portal: Static Web App with the function app as its /api backend ----------
resource staticWebApp 'Microsoft.Web/staticSites@2025-03-01' = {
  name: names.staticWebApp
  location: staticWebAppLocation
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {}
}

resource portalBackend 'Microsoft.Web/staticSites/linkedBackends@2025-03-01' = {
  parent: staticWebApp
  name: 'api'
  properties: {
    backendResourceId: functionApp.id
    region: location
  }
}

// ---------- Role assignments for the app identity (and Capture) ----------
resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]: {
  name: guid(storage.id, functionApp.id, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource appTelemetryStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (account, i) in telemetryAccountNames: {
  name: guid(telemetryStorage[i].id, functionApp.id, roles.storageTableDataContributor)
  scope: telemetryStorage[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource appEventHubsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventHubs.id, functionApp.id, roles.eventHubsDataReceiver)
  scope: eventHubs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Revoking a replaced or disposed gateway's publisher needs manage rights on the hub (and only there).
resource appTelemetryPublisherRevoker 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(telemetry.id, functionApp.id, roles.eventHubsDataOwner)
  scope: telemetry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ACS Email has no narrower built-in data role for sending; Contributor is scoped to this one resource.
resource appEmailSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, functionApp.id, roles.contributor)
  scope: communication
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appVaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionApp.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appTelemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, functionApp.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource captureWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, eventHubs.id, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: eventHubs.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------- Operations: who is woken, by what, and the workbook an operator opens first ----------
// Every rule is a log query on Application Insights (see README: Operating it). Our metrics reach it as customMetrics
// (a counter's valueSum is its increase over the export interval), our logs as traces, our spans as requests and
// dependencies; the Functions host logs there too.
resource operators 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-kpnet-${environmentName}'
  location: 'global'
  properties: {
    groupShortName: 'kpnet-${environmentName}'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: operatorEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var alertRules = [
  {
    name: 'handler-failures'
    // Spans are sampled; itemCount is how many requests each kept one stands for.
    description: 'Requests answered 5xx and function invocations that failed.'
    severity: 1
    windowSize: 'PT5M'
    frequency: 'PT5M'
    query: '''
requests
| where success == false
| summarize failures = sum(itemCount) by operation = name
'''
    measure: 'failures'
    dimension: 'operation'
    operator: 'GreaterThanOrEqual'
    threshold: handlerFailureThreshold
  }
  {
    // Azure Monitor receives kpnet.telemetry.lag as sums, counts, minima and maxima only, so the p95 comes from the
    // lag p95 each batch logs (TelemetryBatchApplied): the 95th percentile of those per minute, over 60 s in every
    // minute of the last 10 that had batches.
    name: 'ingest-lag'
    description: 'Telemetry ingest lag p95 above 60 s for 10 minutes.'
    severity: 2
    windowSize: 'PT10M'
    frequency: 'PT5M'
    query: '''
traces
| where message startswith "Telemetry batch from partition"
| extend lag = todouble(customDimensions.LagP95Seconds)
| where isnotnull(lag)
| summarize p95 = percentile(lag, 95) by bin(timestamp, 1m)
| summarize minutes = count(), slowMinutes = countif(p95 > 60)
| where minutes >= 8 and slowMinutes == minutes
'''
    measure: ''
    dimension: ''
    operator: 'GreaterThan'
    threshold: 0
  }
  {
    name: 'dead-letter-spike'
    description: 'Telemetry events dead-lettered for one reason beyond the spike threshold in 15 minutes.'
    severity: 2
    windowSize: 'PT15M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "kpnet.telemetry.events" and tostring(customDimensions.outcome) == "dead_lettered"
| summarize deadLettered = sum(valueSum) by reason = tostring(customDimensions.reason)
'''
    measure: 'deadLettered'
    dimension: 'reason'
    operator: 'GreaterThan'
    threshold: deadLetterSpikeThreshold
  }
  {
    // The Functions host logs a warning when it moves a message to a poison queue ("Message has reached
    // MaxDequeueCount of 5. Moving message to queue 'email-outbox-poison'."); SendEmail logs MailRejected when it
    // puts a refused mail there itself. Any such line is a message an operator must look at.
    name: 'poison-messages'
    description: 'A queue message was moved to a -poison queue.'
    severity: 2
    windowSize: 'PT5M'
    frequency: 'PT5M'
    query: '''
traces
| where message has "-poison"
| summarize poisoned = count()
'''
    measure: 'poisoned'
    dimension: ''
    operator: 'GreaterThan'
    threshold: 0
  }
  {
    name: 'mail-failures'
    description: 'Mails refused for good by Azure Communication Services.'
    severity: 2
    windowSize: 'PT15M'
    frequency: 'PT5M'
    query: '''
customMetrics
| where name == "kpnet.mail.failed"
| summarize failed = sum(valueSum) by kind = tostring(customDimensions.kind)
'''
    measure: 'failed'
    dimension: 'kind'
    operator: 'GreaterThan'
    threshold: 0
  }
  {
    // A row with 0 first, so that silence (no metric rows at all) still yields a number to compare.
    name: 'no-telemetry'
    description: 'No telemetry event at all for 10 minutes.'
    severity: 1
    windowSize: 'PT10M'
    frequency: 'PT5M'
    query: '''
union (print events = 0.0), (customMetrics | where name == "kpnet.telemetry.events" | project events = valueSum)
| summarize events = sum(events)
'''
    measure: 'events'
    dimension: ''
    operator: 'LessThan'
    threshold: 1
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in alertRules: {
    name: 'alert-kpnet-${environmentName}-${rule.name}'
    location: location
    properties: {
      displayName: 'KP-NET ${environmentName}: ${rule.name}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [insights.id]
      evaluationFrequency: rule.frequency
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: empty(rule.measure) ? 'Count' : 'Total'
            metricMeasureColumn: empty(rule.measure) ? null : rule.measure
            dimensions: empty(rule.dimension)
              ? []
              : [
                  {
                    name: rule.dimension
                    operator: 'Include'
                    values: ['*']
                  }
                ]
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [operators.id]
      }
    }
  }
]

resource operationsWorkbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, environmentName, 'kpnet-operations')
  location: location
  kind: 'shared'
  properties: {
    displayName: 'KP-NET ${environmentName} operations'
    category: 'workbook'
    sourceId: insights.id
    serializedData: loadTextContent('operations-workbook.json')
  }
}

output portalUrl string = 'https://${staticWebApp.properties.defaultHostname}'
output apiUrl string = 'https://${functionApp.properties.defaultHostName}/api'
output functionAppName string = functionApp.name
output eventHubsNamespace string = '${eventHubs.name}.servicebus.windows.net'
output telemetryEventHub string = telemetryHub
output gatewaySendSecretUri string = gatewaySendSecret.properties.secretUri
output staticWebAppName string = staticWebApp.name
