package webhook

import (
	"context"
	"os"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/zap"
)

// This is the only file that knows about tracing. Traces are OpenTelemetry spans with X-Ray
// trace ids (so that X-Ray shows them beside Lambda's and API Gateway's own segments),
// parented on the trace header Lambda hands each invocation (_X_AMZN_TRACE_ID), and exported
// by OTLP over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT): in Lambda, the
// ADOT collector layer on http://localhost:4318, which sends them on to X-Ray. Without an
// endpoint nothing is exported, and calls are traced for nothing but still go through.
// docs/handlers.md says what a function in private subnets needs to reach X-Ray.

// Environment variables that switch the OTLP exporter on.
const (
	envOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envLambdaTraceID      = "_X_AMZN_TRACE_ID"
	headerXRayTrace       = "X-Amzn-Trace-Id"
)

var (
	tracingOnce sync.Once
	tracing     *sdktrace.TracerProvider
)

// tracerProvider makes the process's tracer provider once: X-Ray ids, the function's name as
// the service, the OTLP exporter when an endpoint is configured. Export errors are logged,
// never returned: a collector that is down must not fail a payment.
func tracerProvider(ctx context.Context, log *zap.Logger) *sdktrace.TracerProvider {
	tracingOnce.Do(func() {
		opts := []sdktrace.TracerProviderOption{
			sdktrace.WithIDGenerator(xray.NewIDGenerator()),
			sdktrace.WithResource(resource.NewSchemaless(
				attribute.String("service.name", cmpOrString(os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), "webhook-handler")),
				attribute.String("cloud.provider", "aws"),
				attribute.String("cloud.platform", "aws_lambda"),
			)),
		}
		if os.Getenv(envOTLPEndpoint) != "" || os.Getenv(envOTLPTracesEndpoint) != "" {
			exp, err := otlptracehttp.New(ctx)
			if err != nil {
				log.Warn("traces not exported: OTLP exporter", zap.Error(err))
			} else {
				// A batch span processor, flushed at the end of every invocation (otellambda's
				// flusher), so that no span waits in a frozen execution environment.
				opts = append(opts, sdktrace.WithBatcher(exp))
			}
		}
		tracing = sdktrace.NewTracerProvider(opts...)
		otel.SetTracerProvider(tracing)
		otel.SetTextMapPropagator(xray.Propagator{})
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", zap.Error(err)) }))
	})
	return tracing
}

func cmpOrString(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// Instrument gives every AWS call made with cfg a client span (service, operation, region,
// request id, and the table or bucket), and passes the trace on to AWS in X-Amzn-Trace-Id.
func Instrument(ctx context.Context, cfg *aws.Config, log *zap.Logger) {
	otelaws.AppendMiddlewares(&cfg.APIOptions,
		otelaws.WithTracerProvider(tracerProvider(ctx, log)),
		otelaws.WithTextMapPropagator(xray.Propagator{}),
		otelaws.WithAttributeBuilder(otelaws.DefaultAttributeBuilder, otelaws.DynamoDBAttributeBuilder, otelaws.S3AttributeBuilder),
	)
}

// Start runs handler as the function's Lambda handler, each invocation in a span parented on
// Lambda's trace header, with the spans flushed before the invocation returns.
func Start(handler any) {
	lambda.Start(Wrap(handler))
}

// Wrap is the traced form of handler; Start uses it, and tests call it directly.
func Wrap(handler any) any {
	tp := tracerProvider(context.Background(), zap.NewNop())
	return otellambda.InstrumentHandler(handler,
		otellambda.WithTracerProvider(tp),
		otellambda.WithFlusher(tp),
		otellambda.WithPropagator(xray.Propagator{}),
		otellambda.WithEventToCarrier(func([]byte) propagation.TextMapCarrier {
			// aws-lambda-go sets this for every invocation from the runtime API's trace id.
			return propagation.HeaderCarrier{headerXRayTrace: []string{os.Getenv(envLambdaTraceID)}}
		}),
	)
}
