package spec

// ssmParameterKind describes ssm.parameter to the language.
var ssmParameterKind = KindInfo{
	Kind:       "ssm.parameter",
	New:        func() Properties { return &SSMParameter{Type: "SecureString", InitialValue: "generate"} },
	Attributes: []string{"arn", "name"},
	// SSM's rule: letters, digits and _.-/, at most 1011 characters counted without the
	// leading "/"; a hierarchy has at most 15 levels (not checked here).
	Name:       NameRule{1, 1011, `^/?[a-zA-Z0-9_.\-]+(/[a-zA-Z0-9_.\-]+)*$`, "1-1011 characters: letters, digits and _.-, levels separated by /"},
	References: []string{"apigateway.api_key"},
}

// SSMParameter is ssm.parameter: a parameter whose value the stack does not own. Create
// writes a first value (InitialValue); from then on the value belongs to whoever sets it, and
// neither plan, apply nor drift reads, compares or prints it. Type, description, KMS key and
// tags are managed.
type SSMParameter struct {
	Type         string `yaml:"type" json:"type" jsonschema:"enum=SecureString,enum=String,default=SecureString"`
	Description  string `yaml:"description" json:"description,omitempty"`
	KMSKeyID     string `yaml:"kms_key_id" json:"kms_key_id,omitempty" jsonschema:"description=SecureString only; empty: the account's aws/ssm key"`
	InitialValue string `yaml:"initial_value" json:"initial_value" jsonschema:"enum=generate,enum=placeholder,enum=api_key,default=generate,description=the value written on create only: generate (32 random bytes\\, base64url)\\, placeholder (a text saying what to put there) or api_key (the value of the API key named by api_key)"`
	APIKey       string `yaml:"api_key" json:"api_key,omitempty" jsonschema:"description=initial_value api_key only: the key's id\\, e.g. ${stripe-key.id}"`
}

func (*SSMParameter) Kind() string { return "ssm.parameter" }

// SSMPlaceholder is the value an ssm.parameter with initial_value placeholder is created with.
const SSMPlaceholder = "unset: put the real value here (provisioner never overwrites it)"

func (p *SSMParameter) check(c *checker, r *loaded) {
	if p.KMSKeyID != "" && p.Type != "SecureString" {
		c.errAt(r, "kms_key_id", "expected no KMS key for a %s parameter (only SecureString is encrypted)", p.Type)
	}
	switch {
	case p.InitialValue == "api_key" && p.APIKey == "":
		c.errAt(r, "api_key", "expected the API key whose value to store, e.g. ${stripe-key.id}, for initial_value api_key")
	case p.InitialValue != "api_key" && p.APIKey != "":
		c.errAt(r, "api_key", "expected no api_key unless initial_value is api_key (it is %s)", p.InitialValue)
	default:
		c.expectRef(r, "api_key", p.APIKey, "apigateway.api_key", "id")
	}
}
