// Package swfapi is the SWF API (version 2012-01-25) as Go types: every shape,
// enum and fault of the model, a validator for every constraint the model
// gives, and the table of operations. The *_gen.go files are generated from
// model/, a copy of AWS's model with its documentation stripped; edit the
// generator in gen/, never the generated files.
package swfapi

//go:generate go run ./gen
