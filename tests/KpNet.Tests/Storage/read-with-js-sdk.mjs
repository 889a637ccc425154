// Reads every table entity and peeks every queue message of one storage account with Microsoft's JavaScript SDKs,
// as another team's tool would, and prints what it found as JSON: per table the entity count and the JavaScript
// type of each property, per queue the message count and whether each message was base64 UTF-8 JSON.
// Usage: node read-with-js-sdk.mjs "<connection string>"
import { TableClient, TableServiceClient } from "@azure/data-tables";
import { QueueServiceClient } from "@azure/storage-queue";

const connectionString = process.argv[2];
const options = { allowInsecureConnection: true };
const report = { tables: {}, queues: {} };

const typeOf = (value) =>
  value instanceof Date ? "Date"
  : value instanceof Uint8Array ? "binary"
  : value !== null && typeof value === "object" && "type" in value ? value.type
  : typeof value;

for await (const table of TableServiceClient.fromConnectionString(connectionString, options).listTables()) {
  const client = TableClient.fromConnectionString(connectionString, table.name, options);
  const properties = {};
  let entities = 0;
  for await (const entity of client.listEntities()) {
    entities++;
    for (const [name, value] of Object.entries(entity)) {
      if (name === "etag" || name === "odata.metadata") continue;
      (properties[name] ??= new Set()).add(typeOf(value));
    }
  }
  report.tables[table.name] = {
    entities,
    properties: Object.fromEntries(Object.entries(properties).map(([name, types]) => [name, [...types].sort()])),
  };
}

const queues = QueueServiceClient.fromConnectionString(connectionString);
for await (const queue of queues.listQueues()) {
  const peeked = await queues.getQueueClient(queue.name).peekMessages({ numberOfMessages: 32 });
  const notJson = peeked.peekedMessageItems.filter((message) => {
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(message.messageText, "base64")));
      return false;
    } catch {
      return true;
    }
  });
  report.queues[queue.name] = { messages: peeked.peekedMessageItems.length, notJson: notJson.length };
}

console.log(JSON.stringify(report));
