// Package tuning sets up the provider process for long plans: the garbage collector's target, the framework's
// trace logging and the provider's own logging switched off unless the user asked for logs, and a server wrapper
// that lets every request's context go when its call returns.
package tuning
