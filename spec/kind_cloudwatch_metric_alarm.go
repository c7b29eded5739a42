package spec

import (
	"fmt"
	"regexp"
	"strings"
)

// metricAlarmKind describes cloudwatch.metric_alarm to the language.
var metricAlarmKind = KindInfo{
	Kind: "cloudwatch.metric_alarm",
	New: func() Properties {
		return &MetricAlarm{EvaluationPeriods: 1, TreatMissingData: "missing", ComparisonOperator: "GreaterThanThreshold"}
	},
	Attributes: []string{"arn", "name"},
	Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters"},
	References: []string{"sqs.queue", "dynamodb.table", "s3.bucket", "lambda.function", "apigateway.rest_api"},
}

// MetricAlarm is cloudwatch.metric_alarm, on one metric or on metric math (Metrics).
type MetricAlarm struct {
	Description        string        `yaml:"description" json:"description,omitempty"`
	ComparisonOperator string        `yaml:"comparison_operator" json:"comparison_operator" jsonschema:"enum=GreaterThanThreshold,enum=GreaterThanOrEqualToThreshold,enum=LessThanThreshold,enum=LessThanOrEqualToThreshold,default=GreaterThanThreshold"`
	Threshold          float64       `yaml:"threshold" json:"threshold"`
	EvaluationPeriods  int           `yaml:"evaluation_periods" json:"evaluation_periods" jsonschema:"minimum=1,default=1"`
	DatapointsToAlarm  int           `yaml:"datapoints_to_alarm" json:"datapoints_to_alarm,omitempty" jsonschema:"minimum=1"`
	TreatMissingData   string        `yaml:"treat_missing_data" json:"treat_missing_data" jsonschema:"enum=missing,enum=notBreaching,enum=breaching,enum=ignore,default=missing"`
	Metrics            []MetricQuery `yaml:"metrics" json:"metrics" jsonschema:"required,minItems=1"`
	AlarmActions       []string      `yaml:"alarm_actions" json:"alarm_actions,omitempty"`
}

func (*MetricAlarm) Kind() string { return "cloudwatch.metric_alarm" }

// MetricQuery is one metric (Metric set) or expression (Expression set) of an alarm; exactly
// one query has ReturnData true: the value compared with the threshold.
type MetricQuery struct {
	ID         string      `yaml:"id" json:"id" jsonschema:"required,pattern=^[a-z][a-zA-Z0-9_]*$"`
	Expression string      `yaml:"expression" json:"expression,omitempty" jsonschema:"description=metric math\\, e.g. errors / invocations * 100"`
	Metric     *MetricStat `yaml:"metric" json:"metric,omitempty"`
	Label      string      `yaml:"label" json:"label,omitempty"`
	ReturnData bool        `yaml:"return_data" json:"return_data,omitempty"`
}

// MetricStat is one CloudWatch metric with a statistic over a period.
type MetricStat struct {
	Namespace  string            `yaml:"namespace" json:"namespace" jsonschema:"required"`
	Name       string            `yaml:"name" json:"name" jsonschema:"required"`
	Dimensions map[string]string `yaml:"dimensions" json:"dimensions,omitempty"`
	Period     int               `yaml:"period" json:"period" jsonschema:"required,minimum=10"`
	Stat       string            `yaml:"stat" json:"stat" jsonschema:"required,description=Sum\\, Average\\, Maximum\\, Minimum\\, SampleCount or pNN"`
}

var statPattern = regexp.MustCompile(`^(Sum|Average|Maximum|Minimum|SampleCount|(p|tm|tc|ts|wm)[0-9]{1,2}(\.[0-9]+)?)$`)

func (p *MetricAlarm) check(c *checker, r *loaded) {
	returning := 0
	ids := map[string]int{}
	for i, q := range p.Metrics {
		path := fmt.Sprintf("metrics[%d]", i)
		if q.ReturnData {
			returning++
		}
		if prev, dup := ids[q.ID]; dup {
			c.errAt(r, path+".id", "expected an id unique in the alarm, found %q again (metrics[%d])", q.ID, prev)
		}
		ids[q.ID] = i
		c.oneOf(r, path, []string{"expression", "metric"}, []bool{q.Expression != "", q.Metric != nil})
		if q.Metric != nil {
			c.checkMetric(r, path+".metric", q.Metric)
		}
	}
	if returning != 1 && len(p.Metrics) > 0 {
		c.errAt(r, "metrics", "expected exactly one query with return_data true (the value compared with the threshold), found %d", returning)
	}
	if p.DatapointsToAlarm > p.EvaluationPeriods {
		c.errAt(r, "datapoints_to_alarm", "expected at most evaluation_periods (%d), found %d", p.EvaluationPeriods, p.DatapointsToAlarm)
	}
	for i, a := range p.AlarmActions {
		if !strings.HasPrefix(a, "arn:") && !hasRef(a) {
			c.errAt(r, fmt.Sprintf("alarm_actions[%d]", i), "expected an action ARN (an SNS topic, for example), found %q", a)
		}
	}
}

func (c *checker) checkMetric(r *loaded, path string, m *MetricStat) {
	if m.Period != 10 && m.Period != 30 && m.Period%60 != 0 {
		c.errAt(r, path+".period", "expected 10, 30 or a multiple of 60 seconds, found %d", m.Period)
	}
	if !statPattern.MatchString(m.Stat) {
		c.errAt(r, path+".stat", "expected Sum, Average, Maximum, Minimum, SampleCount or a percentile such as p99, found %q", m.Stat)
	}
}
