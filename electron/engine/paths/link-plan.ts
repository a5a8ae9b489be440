// Routing table ids, rule priorities and MPTCP endpoint ids Braid owns: one of each per link,
// chosen clear of distribution defaults, the same every run so a crashed run can be swept.
export const TABLE_BASE = 7100;
export const ENDPOINT_ID_BASE = 64;
