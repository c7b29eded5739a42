package spec

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	routePathPattern = regexp.MustCompile(`^/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\})(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\}))*$|^/$`)
	stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,128}$`)
	statPattern      = regexp.MustCompile(`^(Sum|Average|Maximum|Minimum|SampleCount|(p|tm|tc|ts|wm)[0-9]{1,2}(\.[0-9]+)?)$`)
)

func (c *checker) checkRestAPI(r *loaded, p *RestAPI) {
	seen := map[string]int{}
	for i, route := range p.Routes {
		path := fmt.Sprintf("routes[%d]", i)
		if !routePathPattern.MatchString(route.Path) {
			c.errAt(r, path+".path", "expected a path such as /webhook or /events/{eventId}, found %q", route.Path)
		}
		key := route.Method + " " + route.Path
		if prev, dup := seen[key]; dup {
			c.errAt(r, path, "expected each method and path once, found %s again (routes[%d])", key, prev)
		}
		seen[key] = i
		c.expectRef(r, path+".function", route.Function, "lambda.function", "arn")
	}
	if !stageNamePattern.MatchString(p.Stage.Name) {
		c.errAt(r, "stage.name", "expected 1-128 letters, digits and _, found %q", p.Stage.Name)
	}
}

func (c *checker) checkUsagePlan(r *loaded, p *UsagePlan) {
	for i, s := range p.Stages {
		path := fmt.Sprintf("stages[%d]", i)
		api := c.expectRef(r, path+".api", s.API, "apigateway.rest_api", "id")
		c.expectRef(r, path+".stage", s.Stage, "apigateway.rest_api", "stage_name")
		if api != nil && !hasRef(s.Stage) && s.Stage != api.Props.(*RestAPI).Stage.Name {
			c.errAt(r, path+".stage", "expected %q, the stage of API %q (or ${%s.stage_name}), found %q",
				api.Props.(*RestAPI).Stage.Name, api.Logical, api.Logical, s.Stage)
		}
	}
	c.expectRefs(r, "keys", p.Keys, "apigateway.api_key", "id")
}

func (c *checker) checkAlarm(r *loaded, p *MetricAlarm) {
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
