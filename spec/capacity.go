package spec

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// Capacity is the peak a stack declares (top-level `capacity`), and which of its resources
// carry it. validate checks the settings of those resources against Sizing, the arithmetic
// of docs/capacity.md, before anything is deployed.
type Capacity struct {
	PeakRPS      int    `yaml:"peak_rps" json:"peak_rps" jsonschema:"required,minimum=1,description=deliveries a second at peak\\, all providers together"`
	PayloadBytes int    `yaml:"payload_bytes" json:"payload_bytes" jsonschema:"required,minimum=1,maximum=262144,description=average delivery body in bytes (the receiver refuses more than MAX_BODY_BYTES)"`
	Table        string `yaml:"table" json:"table" jsonschema:"required,description=logical name of the dynamodb.table that stores the deliveries"`
	Receiver     string `yaml:"receiver" json:"receiver" jsonschema:"required,description=logical name of the lambda.function that takes the deliveries"`
	Stream       string `yaml:"stream" json:"stream" jsonschema:"required,description=logical name of the lambda.event_source_mapping from the table's stream to the processor"`
	ReceiverMs   int    `yaml:"receiver_ms" json:"receiver_ms" jsonschema:"minimum=1,default=10,description=milliseconds one delivery holds a receiver execution"`
	RecordMs     int    `yaml:"record_ms" json:"record_ms" jsonschema:"minimum=1,default=36,description=milliseconds the processor spends on one INSERT (an S3 PUT and a DynamoDB update)"`
}

// Defaults of Capacity and of the processor, from the measured figures in docs/capacity.md.
const (
	DefaultReceiverMs = 10 // 5.5 ms measured with a 5 ms DynamoDB write, plus Lambda's own overhead
	DefaultRecordMs   = 36 // 27.9 INSERTs/s measured one at a time: 35.8 ms each

	// DefaultBatchConcurrency is the processor's BATCH_CONCURRENCY when its environment sets
	// none: handlers/internal/webhook.DefaultConcurrency.
	DefaultBatchConcurrency = 10
	EnvBatchConcurrency     = "BATCH_CONCURRENCY"

	ItemOverheadBytes  = 300  // a stored item's attributes beside the payload
	writeUnitBytes     = 1024 // DynamoDB bills a write per 1 KB, rounded up
	writesPerDelivery  = 2    // the receiver's conditional put, the processor's update
	partitionWriteRate = 1000 // write units a second one partition (and so one shard) takes
)

// Sizing is what a peak needs from the stack: the arithmetic of docs/capacity.md in one place,
// used by validate and by the test that keeps the document's figures in step.
type Sizing struct {
	ItemBytes             int     // payload plus the item's other attributes
	WriteUnitsPerWrite    int     // per put or update of one item
	WriteUnitsPerDelivery int     // both writes of one delivery
	TableWrites           int     // write units a second at peak: the warm throughput needed
	Shards                int     // stream shards: at least one per 1,000 write units a second
	InsertsPerShard       float64 // INSERT records a second each shard feeds the processor
	ReceiverConcurrency   int     // receiver executions at peak: rate × duration
}

// Sizing computes what c's peak needs.
func (c Capacity) Sizing() Sizing {
	s := Sizing{ItemBytes: c.PayloadBytes + ItemOverheadBytes}
	s.WriteUnitsPerWrite = ceilDiv(s.ItemBytes, writeUnitBytes)
	s.WriteUnitsPerDelivery = writesPerDelivery * s.WriteUnitsPerWrite
	s.TableWrites = c.PeakRPS * s.WriteUnitsPerDelivery
	s.Shards = max(ceilDiv(s.TableWrites, partitionWriteRate), 1)
	s.InsertsPerShard = float64(c.PeakRPS) / float64(s.Shards)
	s.ReceiverConcurrency = ceilDiv(c.PeakRPS*c.receiverMs(), 1000)
	return s
}

// ProcessorRate is the INSERTs a second one processor execution handles: min(batch size,
// BATCH_CONCURRENCY) records in flight, each taking RecordMs.
func (c Capacity) ProcessorRate(batchConcurrency, batchSize int) float64 {
	inFlight := max(min(batchConcurrency, batchSize), 1)
	return float64(inFlight) * 1000 / float64(c.recordMs())
}

// ShardRate is what one shard's processing takes with a parallelization factor: that many
// batches in flight at once.
func (c Capacity) ShardRate(parallelization, batchConcurrency, batchSize int) float64 {
	return float64(max(parallelization, 1)) * c.ProcessorRate(batchConcurrency, batchSize)
}

func (c Capacity) receiverMs() int { return cmpOr(c.ReceiverMs, DefaultReceiverMs) }
func (c Capacity) recordMs() int   { return cmpOr(c.RecordMs, DefaultRecordMs) }

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func ceilDiv(a, b int) int { return int(math.Ceil(float64(a) / float64(b))) }

// BatchConcurrency reads a processor's BATCH_CONCURRENCY, or the handler's default.
func BatchConcurrency(fn *LambdaFunction) (int, error) {
	v, ok := fn.Environment[EnvBatchConcurrency]
	if !ok {
		return DefaultBatchConcurrency, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("expected a whole number of at least 1, found %q", v)
	}
	return n, nil
}

// capacity decodes the top-level capacity mapping, when there is one.
func (l *loader) capacity(top map[string]pair) {
	p, found := top["capacity"]
	if !found {
		return
	}
	l.capFields = map[string]Pos{}
	l.dec.reset("", "", l.capFields)
	c := &Capacity{ReceiverMs: DefaultReceiverMs, RecordMs: DefaultRecordMs}
	if !l.dec.decode(p.val, reflect.ValueOf(c).Elem(), "capacity", l.dec.pos(p.keyNode)) {
		return
	}
	for _, u := range l.dec.refs {
		l.probs.add(u.pos, "%s: expected a logical name, found the reference %s", u.path, u.ref)
		return
	}
	l.stack.Capacity = c
}
