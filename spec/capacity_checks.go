package spec

import "fmt"

// checkCapacity says, at the setting that falls short, where the declared peak cannot be
// carried: the table's write throughput, the processor's rate per shard, reserved concurrency.
func (c *checker) checkCapacity() {
	cp := c.stack.Capacity
	if cp == nil {
		return
	}
	s := cp.Sizing()
	if t := c.capacityTarget("table", cp.Table, "dynamodb.table"); t != nil {
		c.tableCarries(t, cp, s)
	}
	if r := c.capacityTarget("receiver", cp.Receiver, "lambda.function"); r != nil {
		c.reservedCarries(r, s.ReceiverConcurrency, fmt.Sprintf("capacity.peak_rps %d × %d ms a delivery", cp.PeakRPS, cp.receiverMs()))
	}
	if m := c.capacityTarget("stream", cp.Stream, "lambda.event_source_mapping"); m != nil {
		c.streamCarries(m, cp, s)
	}
}

// capacityTarget finds the resource a capacity key names; nil (with a problem reported when
// the name is wrong) when there is none to check.
func (c *checker) capacityTarget(key, logical, kind string) *loaded {
	path := "capacity." + key
	r := c.byName[logical]
	switch {
	case r == nil:
		c.probs.add(c.capFields[path], "%s: unknown resource %q%s", path, logical, didYouMean(logical, c.logicalNames()))
		return nil
	case r.Kind != kind:
		c.probs.add(c.capFields[path], "%s: expected a %s, found %s %q", path, kind, r.Kind, logical)
		return nil
	}
	if !r.known || !r.clean {
		return nil
	}
	return r
}

func (c *checker) logicalNames() []string {
	names := make([]string, len(c.res))
	for i, r := range c.res {
		names[i] = r.Logical
	}
	return names
}

func (c *checker) tableCarries(r *loaded, cp *Capacity, s Sizing) {
	p := r.Props.(*DynamoDBTable)
	why := fmt.Sprintf("to carry capacity.peak_rps %d (%d writes of %d write units per delivery of %d bytes)",
		cp.PeakRPS, writesPerDelivery, s.WriteUnitsPerWrite, s.ItemBytes)
	switch {
	case p.BillingMode == "PROVISIONED":
		if p.WriteCapacity < s.TableWrites {
			c.errAt(r, "write_capacity", "expected at least %d %s, found %d", s.TableWrites, why, p.WriteCapacity)
		}
	case p.WarmThroughput == nil:
		c.errAt(r, "warm_throughput", "expected warm_throughput.write_units_per_second of at least %d %s, found none (a new on-demand table takes %d a second)",
			s.TableWrites, why, OnDemandWarmWrites)
	case p.WarmThroughput.WriteUnitsPerSecond < s.TableWrites:
		c.errAt(r, "warm_throughput.write_units_per_second", "expected at least %d %s, found %d", s.TableWrites, why, p.WarmThroughput.WriteUnitsPerSecond)
	}
}

func (c *checker) reservedCarries(r *loaded, need int, why string) {
	p := r.Props.(*LambdaFunction)
	if p.ReservedConcurrency != nil && *p.ReservedConcurrency < need {
		c.errAt(r, "reserved_concurrency", "expected at least %d concurrent executions (%s), found %d", need, why, *p.ReservedConcurrency)
	}
}

// streamCarries checks that the processor keeps up with each shard, and that its reserved
// concurrency covers every shard's batches in flight.
func (c *checker) streamCarries(m *loaded, cp *Capacity, s Sizing) {
	p := m.Props.(*EventSourceMapping)
	if t, ref := c.refTarget(p.Source); t == nil || t.Logical != cp.Table || ref.Attribute != "stream_arn" {
		c.probs.add(c.capFields["capacity.stream"], "capacity.stream: expected a mapping whose source is ${%s.stream_arn}, found %s %q with source %s",
			cp.Table, m.Kind, m.Logical, p.Source)
		return
	}
	fn, _ := c.refTarget(p.Function)
	if fn == nil || fn.Kind != "lambda.function" || !fn.clean {
		return
	}
	conc, err := BatchConcurrency(fn.Props.(*LambdaFunction))
	if err != nil {
		c.errAt(fn, "environment."+EnvBatchConcurrency, "%v", err)
		return
	}
	rate := cp.ShardRate(p.ParallelizationFactor, conc, p.BatchSize)
	if rate < s.InsertsPerShard {
		c.errAt(m, "parallelization_factor", "expected a processor that keeps up with %.0f INSERTs a second per shard (capacity.peak_rps %d over ~%d shards), found %.0f: "+
			"parallelization_factor %d × %.0f per execution (%q BATCH_CONCURRENCY %d, batch_size %d, %d ms a record): raise parallelization_factor or BATCH_CONCURRENCY",
			s.InsertsPerShard, cp.PeakRPS, s.Shards, rate, p.ParallelizationFactor, cp.ProcessorRate(conc, p.BatchSize), fn.Logical, conc, p.BatchSize, cp.recordMs())
	}
	c.reservedCarries(fn, s.Shards*p.ParallelizationFactor,
		fmt.Sprintf("~%d shards × parallelization_factor %d of %q", s.Shards, p.ParallelizationFactor, m.Logical))
}
