// No query seeks rows by trust (catalog filters apply after the table index; /metrics reads
// every active row anyway), and every trust pass paid for keeping this index: 10-20% of a
// row-trust write, measured. Dropped.
DROP INDEX row_trust IF EXISTS
