package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func logicals(rs []*Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Logical
	}
	return out
}

func TestOrderPutsDependenciesFirstAndKeepsFileOrder(t *testing.T) {
	src := `
stack: app
suffix: dev
resources:
  fn:
    kind: lambda.function
    handler: receiver
    role: ${role.arn}
    log_group: ${logs.name}
  logs:
    kind: logs.log_group
  alarm:
    kind: cloudwatch.metric_alarm
    metrics: [{id: e, return_data: true, metric: {namespace: AWS/Lambda, name: Errors, period: 60, stat: Sum, dimensions: {FunctionName: "${fn.name}"}}}]
  role:
    kind: iam.role
    assumed_by: [lambda.amazonaws.com]
  queue:
    kind: sqs.queue
    depends_on: [logs]
`
	st, err := Parse("order.yaml", []byte(src), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"logs", "role"}, st.Lookup("fn").DependsOn)
	assert.Equal(t, []string{"logs"}, st.Lookup("queue").DependsOn)
	assert.Equal(t, []string{"logs", "role", "fn", "alarm", "queue"}, logicals(st.Order()))
	assert.Equal(t, []string{"fn", "queue"}, st.Dependents("logs"))
	assert.Equal(t, []string{"alarm"}, st.Dependents("fn"))
	assert.Empty(t, st.Dependents("alarm"))
}

func TestOrderOfAHandBuiltStack(t *testing.T) {
	st := &Stack{Resources: []*Resource{
		{Logical: "c", DependsOn: []string{"b", "outside-the-stack"}},
		{Logical: "b", DependsOn: []string{"a"}},
		{Logical: "a"},
		{Logical: "x", DependsOn: []string{"y"}},
		{Logical: "y", DependsOn: []string{"x"}},
	}}
	assert.Equal(t, []string{"a", "b", "c", "x", "y"}, logicals(st.Order()),
		"unknown dependencies are ignored and a cycle comes last in file order")
	assert.Empty(t, (&Stack{}).Order())
}

func TestLookup(t *testing.T) {
	st := &Stack{Resources: []*Resource{{Logical: "a"}}}
	assert.Equal(t, "a", st.Lookup("a").Logical)
	assert.Nil(t, st.Lookup("b"))
}

func TestCycleReportIsDeterministic(t *testing.T) {
	src := `
stack: app
suffix: dev
resources:
  c: {kind: sqs.queue, depends_on: [a]}
  b: {kind: sqs.queue, depends_on: [c]}
  a: {kind: sqs.queue, depends_on: [b]}
  z: {kind: sqs.queue, depends_on: [z]}
`
	for range 20 {
		_, err := Parse("cycle.yaml", []byte(src), Options{})
		require.Error(t, err)
		assert.Equal(t, "cycle.yaml:5:37: dependency cycle: c -> a -> b -> c\ncycle.yaml:8:37: dependency cycle: z -> z", err.Error())
	}
}
