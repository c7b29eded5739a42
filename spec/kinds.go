package spec

// This file holds what every resource kind has; each kind's own file (kind_<kind>.go) holds
// its typed properties, its KindInfo and its checks. The struct returned by a kind's New
// already carries the defaults; decoding a resource's YAML into it overrides what the user
// wrote. String fields may hold ${...} references, resolved by the engine once the referenced
// resource exists (see Resolve).
//
// Field tags: yaml and json names are identical (snake_case); the JSON Schema is generated
// from these types, so `jsonschema` tags carry enums, ranges and descriptions.

// Properties is the typed property set of one resource kind.
type Properties interface {
	Kind() string
}

// KindInfo describes one kind to the language: how to make its properties with defaults,
// which attributes other resources may reference, and its physical-name rule.
type KindInfo struct {
	Kind       string
	New        func() Properties
	Attributes []string // referable as ${logical.<attribute>}
	Name       NameRule
	// References are the other kinds whose resources this kind's properties may refer to:
	// they are created before it and deleted after it (see KindOrder).
	References []string
}

// NameRule is a service's rule for physical names, checked after the suffix is expanded.
type NameRule struct {
	Min, Max int
	Pattern  string // a Go regexp the whole name must match
	Hint     string // the rule in words, for error messages
}

// Kinds lists every kind the language knows; each kind's file in this package holds its
// properties, its KindInfo and its checks. The list's order is the order of the documentation
// and of ties in KindOrder; the order of creates and deletes comes from each kind's References.
var Kinds = []KindInfo{
	vpcKind, subnetKind, securityGroupKind, vpcEndpointKind, logGroupKind, sqsQueueKind,
	dynamoDBTableKind, s3BucketKind, apiKeyKind, ssmParameterKind, iamRoleKind, lambdaFunctionKind,
	eventSourceMappingKind, restAPIKind, lambdaPermissionKind, usagePlanKind, metricAlarmKind,
}
