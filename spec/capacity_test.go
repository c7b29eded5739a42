package spec

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSizing(t *testing.T) {
	tests := []struct {
		name      string
		c         Capacity
		want      Sizing
		processor float64 // ProcessorRate(25, 100)
	}{
		{"the example's peak", Capacity{PeakRPS: 10000, PayloadBytes: 2560},
			Sizing{ItemBytes: 2860, WriteUnitsPerWrite: 3, WriteUnitsPerDelivery: 6, TableWrites: 60000, Shards: 60, InsertsPerShard: 10000.0 / 60, ReceiverConcurrency: 100}, 25000.0 / 36},
		{"1 KB payloads", Capacity{PeakRPS: 10000, PayloadBytes: 1024},
			Sizing{ItemBytes: 1324, WriteUnitsPerWrite: 2, WriteUnitsPerDelivery: 4, TableWrites: 40000, Shards: 40, InsertsPerShard: 250, ReceiverConcurrency: 100}, 25000.0 / 36},
		{"4.5 KB payloads, slower calls", Capacity{PeakRPS: 10000, PayloadBytes: 4608, ReceiverMs: 25, RecordMs: 50},
			Sizing{ItemBytes: 4908, WriteUnitsPerWrite: 5, WriteUnitsPerDelivery: 10, TableWrites: 100000, Shards: 100, InsertsPerShard: 100, ReceiverConcurrency: 250}, 500},
		{"a trickle still has a shard", Capacity{PeakRPS: 3, PayloadBytes: 100},
			Sizing{ItemBytes: 400, WriteUnitsPerWrite: 1, WriteUnitsPerDelivery: 2, TableWrites: 6, Shards: 1, InsertsPerShard: 3, ReceiverConcurrency: 1}, 25000.0 / 36},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.c.Sizing())
			assert.InDelta(t, tt.processor, tt.c.ProcessorRate(25, 100), 1e-9)
		})
	}
	c := Capacity{}
	assert.InDelta(t, 4000.0/36, c.ProcessorRate(25, 4), 1e-9, "a batch smaller than the concurrency bounds it")
	assert.InDelta(t, 1000.0/36, c.ProcessorRate(0, 100), 1e-9, "at least one record in flight")
	assert.InDelta(t, 3*25000.0/36, c.ShardRate(3, 25, 100), 1e-9)
}

func TestBatchConcurrency(t *testing.T) {
	for env, want := range map[string]int{"": DefaultBatchConcurrency, "25": 25, "1": 1} {
		fn := &LambdaFunction{Environment: map[string]string{}}
		if env != "" {
			fn.Environment[EnvBatchConcurrency] = env
		}
		got, err := BatchConcurrency(fn)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"0", "-3", "lots", "2.5"} {
		_, err := BatchConcurrency(&LambdaFunction{Environment: map[string]string{EnvBatchConcurrency: bad}})
		assert.Error(t, err, bad)
	}
}

const capacityDoc = "../docs/capacity.md"

// TestCapacityDocInSync keeps the example's figures in docs/capacity.md (the block between
// "<!-- generated: example -->" and "<!-- end generated -->") what Sizing makes of the
// example's spec; go test ./spec -update rewrites it.
func TestCapacityDocInSync(t *testing.T) {
	st, err := Load(webhookExample, Options{})
	require.NoError(t, err)
	require.NotNil(t, st.Capacity, "the example declares its peak")
	src, err := os.ReadFile(capacityDoc)
	require.NoError(t, err)
	found := false
	out := generatedBlock.ReplaceAllStringFunc(string(src), func(block string) string {
		name := generatedBlock.FindStringSubmatch(block)[1]
		require.Equal(t, "example", name, "docs/capacity.md has an unknown generated block")
		found = true
		return "<!-- generated: example -->\n" + exampleSizing(t, st) + "<!-- end generated -->"
	})
	require.True(t, found, "docs/capacity.md has no generated example block")
	checkGolden(t, capacityDoc, []byte(out))
}

// exampleSizing is the table of what the example's peak needs beside what its spec sets.
func exampleSizing(t *testing.T, st *Stack) string {
	c := st.Capacity
	s := c.Sizing()
	table := st.Lookup(c.Table).Props.(*DynamoDBTable)
	mapping := st.Lookup(c.Stream).Props.(*EventSourceMapping)
	processorRes := st.Lookup(strings.TrimSuffix(strings.TrimPrefix(mapping.Function, "${"), ".arn}"))
	require.NotNil(t, processorRes, "the mapping's function is ${<logical>.arn}")
	processor := processorRes.Props.(*LambdaFunction)
	receiver := st.Lookup(c.Receiver).Props.(*LambdaFunction)
	conc, err := BatchConcurrency(processor)
	require.NoError(t, err)
	perExec := c.ProcessorRate(conc, mapping.BatchSize)
	perShard := c.ShardRate(mapping.ParallelizationFactor, conc, mapping.BatchSize)
	rows := [][3]string{
		{"peak", thousands(c.PeakRPS) + " deliveries/s", "`capacity.peak_rps`"},
		{"item stored", fmt.Sprintf("%s bytes → %d write units", thousands(s.ItemBytes), s.WriteUnitsPerWrite),
			fmt.Sprintf("`payload_bytes` %s + %d of other attributes, per 1 KB", thousands(c.PayloadBytes), ItemOverheadBytes)},
		{"write units per delivery", fmt.Sprint(s.WriteUnitsPerDelivery), fmt.Sprintf("%d writes (receiver put, processor update) × %d", writesPerDelivery, s.WriteUnitsPerWrite)},
		{"table writes at peak", thousands(s.TableWrites) + " WRU/s", fmt.Sprintf("%s × %d", thousands(c.PeakRPS), s.WriteUnitsPerDelivery)},
		{"table warm throughput (spec)", fmt.Sprintf("**%s writes/s**, %s reads/s: %.2f× the need", thousands(table.WarmThroughput.WriteUnitsPerSecond),
			thousands(table.WarmThroughput.ReadUnitsPerSecond), float64(table.WarmThroughput.WriteUnitsPerSecond)/float64(s.TableWrites)),
			fmt.Sprintf("`%s.warm_throughput`", c.Table)},
		{"stream shards", fmt.Sprintf("~%d", s.Shards), fmt.Sprintf("%s WRU/s / %s per partition", thousands(s.TableWrites), thousands(partitionWriteRate))},
		{"INSERTs per shard", rounded(s.InsertsPerShard) + "/s", fmt.Sprintf("%s / %d", thousands(c.PeakRPS), s.Shards)},
		{"processor, one execution", rounded(perExec) + " INSERTs/s",
			fmt.Sprintf("min(`batch_size` %d, `BATCH_CONCURRENCY` %d) in flight, %d ms each (`record_ms`)", mapping.BatchSize, conc, c.recordMs())},
		{"processor, one shard", fmt.Sprintf("**%s INSERTs/s: %.1f× the need**", rounded(perShard), perShard/s.InsertsPerShard),
			fmt.Sprintf("`parallelization_factor` %d, batching window %d s", mapping.ParallelizationFactor, mapping.MaximumBatchingWindowSecs)},
		{"processor concurrency", fmt.Sprintf("%d, reserved **%d**", s.Shards*mapping.ParallelizationFactor, *processor.ReservedConcurrency),
			fmt.Sprintf("%d shards × %d", s.Shards, mapping.ParallelizationFactor)},
		{"receiver concurrency", fmt.Sprintf("%d, reserved **%d**", s.ReceiverConcurrency, *receiver.ReservedConcurrency),
			fmt.Sprintf("%s/s × %d ms (`receiver_ms`)", thousands(c.PeakRPS), c.receiverMs())},
	}
	var b strings.Builder
	b.WriteString("| | figure | from |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
	return b.String()
}

func rounded(x float64) string { return thousands(int(math.Round(x))) }

// thousands writes n with commas, as the document does: 60000 → 60,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
