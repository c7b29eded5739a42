package spec

// logGroupKind describes logs.log_group to the language.
var logGroupKind = KindInfo{
	Kind:       "logs.log_group",
	New:        func() Properties { return &LogGroup{RetentionDays: 7} },
	Attributes: []string{"arn", "name"},
	Name:       NameRule{1, 512, `^[\.\-_/#A-Za-z0-9]+$`, "1-512 characters: letters, digits and ._-/#"},
}

// LogGroup is logs.log_group.
type LogGroup struct {
	RetentionDays int    `yaml:"retention_days" json:"retention_days" jsonschema:"enum=0,enum=1,enum=3,enum=5,enum=7,enum=14,enum=30,enum=60,enum=90,enum=120,enum=150,enum=180,enum=365,enum=400,enum=545,enum=731,enum=1096,enum=1827,enum=2192,enum=2557,enum=2922,enum=3288,enum=3653,default=7,description=0 keeps logs forever"`
	KMSKeyID      string `yaml:"kms_key_id" json:"kms_key_id,omitempty"`
}

func (*LogGroup) Kind() string { return "logs.log_group" }
