package spec

import (
	"bufio"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files, docs/spec.schema.json and the generated part of docs/spec.md")

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./spec -update")
	assert.Equal(t, string(want), string(got), "%s is out of date; run go test ./spec -update and review the diff", path)
}

// optionsOf reads "# options: suffix=X" from a test spec's first line.
func optionsOf(t *testing.T, path string) Options {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	if sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "# options: suffix="); ok {
			return Options{Suffix: rest}
		}
	}
	return Options{}
}

// loadErrorCases are the bad specs in testdata/errors. want holds lines each golden file must
// contain, so that a careless -update cannot bless a regression of the error class.
var loadErrorCases = []struct {
	file string
	want []string
}{
	{"syntax", []string{`syntax.yaml:6:5: invalid YAML: did not find expected ',' or '}'`}},
	{"syntax_indent", []string{`syntax_indent.yaml:10:4: invalid YAML: `}},
	{"syntax_tab", []string{`syntax_tab.yaml:5:1: invalid YAML: found character that cannot start any token`}},
	{"unknown_keys", []string{
		`unknown_keys.yaml:3:1: unknown key "regoin" at the top of the spec; did you mean "region"?`,
		`unknown_keys.yaml:7:5: unknown key "retention_dayz" in logs.log_group; did you mean "retention_days"?`,
		`unknown_keys.yaml:10:5: unknown key "depend_on" in dynamodb.table; did you mean "depends_on"?`,
		`unknown_keys.yaml:12:7: unknown key "nam" in dynamodb.table hash_key; did you mean "name"?`,
		`unknown_keys.yaml:21:5: unknown key "completely_unrelated" in lambda.function`,
	}},
	{"wrong_types", []string{
		`wrong_types.yaml:4:3: tags: expected a mapping, found a list`,
		`wrong_types.yaml:10:16: fn.memory_mb: expected an integer, found "lots"`,
		`wrong_types.yaml:11:22: fn.timeout_seconds: expected an integer, found 2.5`,
		`wrong_types.yaml:16:17: bucket.versioning: expected true or false, found "yes"`,
	}},
	{"missing_required", []string{
		`missing_required.yaml:1:1: missing required key "stack" at the top of the spec`,
		`missing_required.yaml:3:3: missing required key "kind" in resource "nokind"`,
		`missing_required.yaml:5:3: missing required key "role" in lambda.function`,
		`missing_required.yaml:10:5: missing required key "type" in dynamodb.table hash_key`,
		`missing_required.yaml:20:5: role.assumed_by: expected at least one item, found none`,
	}},
	{"enums", []string{
		`enums.yaml:6:19: events.billing_mode: expected one of "PAY_PER_REQUEST" or "PROVISIONED", found "ON_DEMAND"`,
		`enums.yaml:12:14: fn.tracing: expected one of "Active" or "PassThrough", found "active"; did you mean "Active"?`,
		`enums.yaml:16:21: logs.retention_days: expected one of 0, 1, 3, 5, 7, 14,`,
	}},
	{"ranges", []string{
		`ranges.yaml:8:16: fn.memory_mb: expected an integer from 128 to 10240, found 64`,
		`ranges.yaml:9:22: fn.timeout_seconds: expected an integer from 1 to 900, found 901`,
		`ranges.yaml:15:17: small-batch.batch_size: expected an integer from 1 to 10000, found 0`,
		`ranges.yaml:26:36: api.stage.throttling_rate_limit: expected a number greater than 0, found 0`,
	}},
	{"cidrs", []string{
		`cidrs.yaml:9:11: bad-vpc.cidr: expected an IPv4 CIDR block such as 10.0.0.0/16, found "10.300.0.0/16"`,
		`cidrs.yaml:16:11: outside.cidr: expected a block inside 10.20.0.0/16, the CIDR of VPC "vpc", found 10.30.1.0/24`,
		`cidrs.yaml:21:11: host-bits.cidr: expected a network address, found 10.20.1.5/24 (host bits set); did you mean 10.20.1.0/24?`,
	}},
	{"references", []string{
		`references.yaml:14:25: role.policies[0].statements[0].resources[0]: ${evnts.arn} refers to unknown resource "evnts"; did you mean "events"?`,
		`references.yaml:14:41: role.policies[0].statements[0].resources[1]: ${events.stream}: dynamodb.table "events" has no attribute "stream"`,
		`references.yaml:18:11: fn.role: expected ${<iam.role>.arn}, found ${events.arn} (the arn of dynamodb.table "events")`,
		`references.yaml:19:24: fn.depends_on: unknown resource "nothing-here"`,
	}},
	{"cycles", []string{
		`cycles.yaml:6:38: dependency cycle: a -> b -> c -> a`,
		`cycles.yaml:15:38: dependency cycle: self -> self`,
	}},
	{"duplicates", []string{
		`duplicates.yaml:10:5: duplicate key "sse": first declared at line 9`,
		`duplicates.yaml:11:3: duplicate resource name "events": first declared at line 4`,
		`duplicates.yaml:18:11: two: physical name "webhook-shared-dev" is already the name of sqs.queue "one" (line 13)`,
	}},
	{"names", []string{
		`names.yaml:4:3: resource name "Archive": expected lowercase letters, digits and -, starting with a letter`,
		`names.yaml:8:11: bucket.name: "webhook-Archive-${account}-dev" is not a valid s3.bucket name`,
		`names.yaml:19:11: queue.name: "webhook-queue-dev-with-a-name-that-is-much-longer-than-the-eighty-characters-sqs-allows" is not a valid sqs.queue name: expected 1-80 characters: letters, digits, - and _ (and .fifo at the end), found 87 characters`,
		`names.yaml:15:11: role.name: "webhook-a-role-name-that-goes-on-and-on-and-on-well-past-sixty-four-dev" is not a valid iam.role name: expected 1-64 characters`,
		`names.yaml:22:11: fixed.name: expected a name containing ${suffix}`,
	}},
	{"suffix", []string{`suffix.yaml:2:9: suffix: expected 1-12 characters: lowercase letters, digits and -, starting with a letter and not ending with -, found "Dev_1"`}},
	{"suffix_option", []string{`suffix_option.yaml: suffix "-bad" (from --suffix or PROVISIONER_SUFFIX): expected 1-12 characters`}},
	{"suffix_missing", []string{`suffix_missing.yaml:1:1: no suffix: set suffix at the top of the spec or pass --suffix (PROVISIONER_SUFFIX)`}},
	{"header", []string{
		`header.yaml:1:8: stack: expected 1-20 characters: lowercase letters, digits and -, starting with a letter, found "Web_Hook"`,
		`header.yaml:2:9: region: expected an AWS region such as us-east-1, found "us-east"`,
		`header.yaml:5:19: tags.aws:created-by: tag keys starting with aws: are reserved by AWS`,
		`header.yaml:7:10: tags.Owner: tags may use ${stack}, ${suffix} and ${region} only, found ${queue.arn}`,
	}},
	{"lambda", []string{
		`lambda.yaml:4:3: both: expected exactly one of handler, zip, found handler and zip`,
		`lambda.yaml:9:3: neither: expected exactly one of handler, zip, found none`,
		`lambda.yaml:14:14: unknown-handler.handler: expected one of "receiver", "processor", "deadletter" or "authorizer", found "reciever"; did you mean "receiver"?`,
	}},
	{"security_group", []string{
		`security_group.yaml:11:9: sg.ingress[0]: expected exactly one of cidrs, security_group, prefix_list, found cidrs and security_group`,
		`security_group.yaml:13:36: sg.ingress[2].from_port: expected from_port <= to_port, found 8443 > 443`,
	}},
	{"vpc_endpoint", []string{
		`vpc_endpoint.yaml:21:5: gateway-with-subnets.subnet_ids: expected no subnet_ids on a Gateway endpoint (it is for type Interface)`,
		`vpc_endpoint.yaml:22:3: gateway-for-xray.type: expected type Interface for service "xray" (only s3 and dynamodb have Gateway endpoints), found Gateway`,
	}},
	{"dynamodb", []string{`dynamodb.yaml:6:19: provisioned.billing_mode: expected read_capacity and write_capacity with billing_mode PROVISIONED, found none`}},
	{"alarm", []string{`alarm.yaml:9:5: two-returns.metrics: expected exactly one query with return_data true (the value compared with the threshold), found 2`}},
	{"event_source_mapping", []string{
		`event_source_mapping.yaml:22:13: no-stream.source: table "events" has no stream: set its stream_view_type`,
		`event_source_mapping.yaml:24:3: no-position.starting_position: expected starting_position LATEST or TRIM_HORIZON for a stream source, found none`,
	}},
	{"warm_throughput", []string{
		`warm_throughput.yaml:7:76: on-demand.warm_throughput.write_units_per_second: expected at least 4000 (a new on-demand table's warm throughput), found 2000`,
		`warm_throughput.yaml:14:46: provisioned.warm_throughput.read_units_per_second: expected at least 100 (the provisioned capacity), found 50`,
		`warm_throughput.yaml:27:29: from-queue.parallelization_factor: expected no parallelization_factor for an SQS source`,
		`warm_throughput.yaml:33:29: too-parallel.parallelization_factor: expected an integer from 1 to 10, found 11`,
	}},
	{"capacity", []string{
		`capacity.yaml:14:77: events.warm_throughput.write_units_per_second: expected at least 60000 to carry capacity.peak_rps 10000 (2 writes of 3 write units per delivery of 2860 bytes), found 40000`,
		`capacity.yaml:19:27: receiver.reserved_concurrency: expected at least 100 concurrent executions (capacity.peak_rps 10000 × 10 ms a delivery), found 50`,
		`capacity.yaml:24:27: processor.reserved_concurrency: expected at least 60 concurrent executions (~60 shards × parallelization_factor 1 of "events-stream"), found 40`,
		`capacity.yaml:27:3: events-stream.parallelization_factor: expected a processor that keeps up with 167 INSERTs a second per shard (capacity.peak_rps 10000 over ~60 shards), found 111`,
	}},
	{"capacity_table", []string{
		`capacity_table.yaml:10:3: events.warm_throughput: expected warm_throughput.write_units_per_second of at least 8000 to carry capacity.peak_rps 2000`,
		`capacity_table.yaml:23:26: processor.environment.BATCH_CONCURRENCY: expected a whole number of at least 1, found "lots"`,
	}},
	{"capacity_keys", []string{`capacity_keys.yaml:8:11: capacity.stream: expected a logical name, found the reference ${t.stream_arn}`}},
	{"capacity_targets", []string{
		`capacity_targets.yaml:6:10: capacity.table: unknown resource "evnts"; did you mean "events"?`,
		`capacity_targets.yaml:7:13: capacity.receiver: expected a lambda.function, found dynamodb.table "events"`,
		`capacity_targets.yaml:8:11: capacity.stream: expected a mapping whose source is ${evnts.stream_arn}`,
	}},
	{"s3", []string{`s3.yaml:10:30: archive.lifecycle[0].transitions[0].days: expected at least 30 days before a transition to STANDARD_IA, found 10`}},
	{"iam", []string{`iam.yaml:13:23: role.policies[0].statements[0].actions[0]: expected service:Action such as dynamodb:PutItem, found "dynamodb PutItem"`}},
	{"api", []string{`api.yaml:11:16: api.routes[0].path: expected a path such as /webhook or /events/{eventId}, found "webhook"`}},
	{"document", []string{
		`document.yaml:7:5: merge keys (<<) are not supported: write the keys out`,
		`document.yaml:9:1: a spec holds one YAML document, found a second one here`,
	}},
	{"descriptions", []string{
		`descriptions.yaml:15:22: sg.egress[0].description: expected at most 255 characters: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, found '\'' in "to the endpoints' prefixes"`,
		`descriptions.yaml:21:18: role.description: expected at most 1000 characters`,
	}},
	{"empty", []string{`empty.yaml:1:1: the spec is empty: expected a mapping with stack and resources`}},
	{"not_mapping", []string{`not_mapping.yaml:1:1: expected a mapping with stack, region, suffix, tags and resources, found a list`}},
	{"providers", []string{
		`providers.yaml:23:17: receiver.providers.stripe.scheme: expected one of "stripe", "hmac-sha256-hex", "square", "adyen" or "none", found "strpe"; did you mean "stripe"?`,
		`providers.yaml:25:7: receiver.providers.square.notification_url: expected the notification URL as entered in Square's dashboard (Square signs it) for scheme square`,
		`providers.yaml:39:7: receiver.providers.adyen.secret: expected the SecureString holding the adyen signing secret`,
		`providers.yaml:48:7: authorizer.providers.stripe.api_key: expected the SecureString holding the provider's API key value`,
		`providers.yaml:12:3: from-key.api_key: expected the API key whose value to store`,
		`providers.yaml:62:24: api.routes[0].authorization: expected an authorizer on the API for authorization CUSTOM, found none`,
	}},
	{"null_values", []string{`null_values.yaml:7:10: fn.role: expected a string, found an empty value`}},
}

// TestLoadErrors loads each bad spec in testdata/errors and compares every reported error,
// position and message, with its .golden file.
func TestLoadErrors(t *testing.T) {
	tests := loadErrorCases
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "errors", tt.file+".yaml")
			st, err := Load(path, optionsOf(t, path))
			require.Error(t, err)
			assert.Nil(t, st)
			var errs *Errors
			require.True(t, errors.As(err, &errs), "want *Errors, got %T: %v", err, err)
			got := strings.ReplaceAll(err.Error(), filepath.Join("testdata", "errors")+string(filepath.Separator), "") + "\n"
			checkGolden(t, strings.TrimSuffix(path, ".yaml")+".golden", []byte(got))
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

// TestLoadErrorsCoverEveryFile keeps the table above and testdata/errors in step.
func TestLoadErrorsCoverEveryFile(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.yaml"))
	require.NoError(t, err)
	src, err := os.ReadFile("errors_test.go")
	require.NoError(t, err)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		assert.Contains(t, string(src), `{"`+name+`", `, "testdata/errors/%s.yaml has no case in TestLoadErrors", name)
	}
}

func TestErrorsAreSortedAndUnwrap(t *testing.T) {
	p := problems{}
	p.add(Pos{File: "f", Line: 9, Col: 1}, "late")
	p.add(Pos{File: "f", Line: 2, Col: 5}, "early")
	p.add(Pos{File: "f", Line: 2, Col: 5}, "early")
	p.add(Pos{File: "f", Line: 2, Col: 1}, "first")
	err := p.err()
	assert.Equal(t, "f:2:1: first\nf:2:5: early\nf:9:1: late", err.Error())
	var one Error
	require.True(t, errors.As(err, &one))
	assert.Equal(t, "first", one.Msg)
	assert.NoError(t, (&problems{}).err())
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), Options{})
	require.Error(t, err)
	var errs *Errors
	assert.False(t, errors.As(err, &errs), "an unreadable file is not a spec error")
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "load spec ")
}
