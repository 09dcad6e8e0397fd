// Package policy reads IAM identity policies as AWS users write them for
// SWF and decides, for each API call and each decision, whether they allow
// it. It is pure: documents and requests in, verdicts out, with no I/O, no
// clock and no shared state, so the server can run it on every call and
// tests can run it on a table.
//
// Three parts: Parse turns a JSON policy document into a compiled *Policy;
// Evaluate answers a Request against the policies attached to a caller,
// Deny overriding Allow and nothing allowed by default; and Scope says which
// Request each SWF operation and each decision makes (its action, the
// domain ARN it acts on and the condition keys it carries), following the
// chapter "Using IAM to manage access to Amazon SWF resources" of SWF's
// developer guide.
package policy
