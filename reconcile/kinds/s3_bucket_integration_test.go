package kinds

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// s3Client returns a path-style client (a bucket subdomain of localhost may not resolve) and
// the region the kind must be given.
func s3Client(t *testing.T) (*s3.Client, string) {
	cfg := emuConfig(t)
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), cfg.Region
}

func s3TestProps() *spec.S3Bucket {
	info, _ := spec.Info("s3.bucket")
	p := info.New().(*spec.S3Bucket) // the spec's defaults
	p.Lifecycle = []spec.LifecycleRule{
		{ID: "logs", Prefix: "logs/", ExpirationDays: 30, Transitions: []spec.Transition{{Days: 7, StorageClass: "STANDARD_IA"}}},
		{ID: "cleanup", NoncurrentExpirationDays: 14, AbortIncompleteUploadDays: 2},
	}
	return p
}

func TestS3BucketLifecycle(t *testing.T) {
	api, region := s3Client(t)
	k := NewS3Bucket(api, region)
	o := testOwner(t, "archive")
	d := desired(o, "kindtest-archive-"+o.Suffix, s3TestProps())
	checkLifecycle(t, tk[spec.S3Bucket](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.S3Bucket)
		p.Versioning = false // suspends
		p.Encryption, p.BucketKey = "aws:kms", true
		p.BlockPublicAccess = false
		p.DenyInsecureTransport = false
		p.Lifecycle = []spec.LifecycleRule{{ID: "all", ExpirationDays: 90}}
		d.Props = &p
		d.Tags["Team"] = "payments"
		delete(d.Tags, "Project")
		return d
	})
}

func TestS3BucketAttrsAndSelector(t *testing.T) {
	ctx := context.Background()
	api, region := s3Client(t)
	k := NewS3Bucket(api, region)
	o := testOwner(t, "attrs")
	d := desired(o, "kindtest-attrs-"+o.Suffix, s3TestProps())
	r, err := tk[spec.S3Bucket](k).Create(ctx, d)
	require.NoError(t, err)

	info, _ := spec.Info("s3.bucket")
	for _, a := range info.Attributes {
		assert.NotEmpty(t, r.Attrs[a], "attribute %s", a)
	}
	assert.Equal(t, "arn:aws:s3:::"+d.Name, r.Attrs["arn"])
	assert.Equal(t, d.Name+".s3."+region+".amazonaws.com", r.Attrs["domain_name"])
	assert.Equal(t, d.Tags, r.Tags)

	other, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix's selector sees nothing of ours")

	pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &d.Name})
	require.NoError(t, err)
	assert.Contains(t, *pol.Policy, s3TLSSid)
	assert.Contains(t, *pol.Policy, "aws:SecureTransport")

	require.NoError(t, k.Delete(ctx, r), "an empty bucket with the TLS-only policy is deleted")
}

// TestS3BucketPolicyKeepsOtherStatements: turning the TLS statement off leaves a statement
// someone else put in the policy.
func TestS3BucketPolicyKeepsOtherStatements(t *testing.T) {
	ctx := context.Background()
	api, region := s3Client(t)
	k := NewS3Bucket(api, region)
	o := testOwner(t, "policy")
	d := desired(o, "kindtest-policy-"+o.Suffix, s3TestProps())
	r, err := tk[spec.S3Bucket](k).Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })

	doc, err := k.policy(ctx, d.Name)
	require.NoError(t, err)
	other := map[string]any{"Sid": "reader", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": k.arn(d.Name)}
	text, err := doc.with("reader", other)
	require.NoError(t, err)
	_, err = api.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &d.Name, Policy: &text})
	require.NoError(t, err)

	p := *d.Props.(*spec.S3Bucket)
	p.DenyInsecureTransport = false
	d.Props = &p
	r, err = tk[spec.S3Bucket](k).Update(ctx, d, findOne(t, tk[spec.S3Bucket](k), state.Selector{Stack: o.Stack, Suffix: o.Suffix}, o.ID))
	require.NoError(t, err)
	assert.False(t, r.Props.(*spec.S3Bucket).DenyInsecureTransport)
	doc, err = k.policy(ctx, d.Name)
	require.NoError(t, err)
	assert.True(t, doc.has("reader"), "the other statement stays")
	assert.False(t, doc.has(s3TLSSid))
}

// TestS3BucketDestroyVersioned: a versioned bucket with several versions per key and delete
// markers is emptied and deleted.
func TestS3BucketDestroyVersioned(t *testing.T) {
	emutest.SkipOnLocalStack(t, "4.14.0 DeleteObjects at times answers NoSuchVersion for every version ListObjectVersions just listed (seen in 1 of 4 runs, under load)")
	ctx := context.Background()
	api, region := s3Client(t)
	k := NewS3Bucket(api, region)
	o := testOwner(t, "versioned")
	// moto quirk: its bucket-policy check ignores condition operators other than StringEquals,
	// so the TLS-only Deny statement denies every object request, TLS or not (bucket-level
	// calls are not checked). This bucket goes without it, so that objects can be written and
	// deleted; AWS only denies requests without TLS, which the SDK never makes.
	p := s3TestProps()
	p.DenyInsecureTransport = false
	d := desired(o, "kindtest-versioned-"+o.Suffix, p)
	r, err := tk[spec.S3Bucket](k).Create(ctx, d)
	require.NoError(t, err)

	for i := range 3 {
		for _, key := range []string{"a.txt", "dir/b.txt", "c.txt"} {
			_, err := api.PutObject(ctx, &s3.PutObjectInput{Bucket: &d.Name, Key: aws.String(key), Body: strings.NewReader(fmt.Sprint(i))})
			require.NoError(t, err)
		}
	}
	for _, key := range []string{"a.txt", "c.txt", "c.txt"} {
		_, err := api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &d.Name, Key: aws.String(key)})
		require.NoError(t, err)
	}
	v, err := api.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &d.Name})
	require.NoError(t, err)
	require.Len(t, v.Versions, 9)
	require.Len(t, v.DeleteMarkers, 3)

	require.NoError(t, k.Delete(ctx, r))
	_, err = api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &d.Name})
	require.True(t, s3Missing(err), "bucket gone: %v", err)
	got, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestS3BucketRefusesNotOurs(t *testing.T) {
	ctx := context.Background()
	api, region := s3Client(t)
	k := NewS3Bucket(api, region)
	o := testOwner(t, "foreign")

	t.Run("tagged by someone else", func(t *testing.T) {
		name := "kindtest-foreign-" + o.Suffix
		s3CreateRaw(t, api, region, name)
		_, err := api.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &name,
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("owner"), Value: aws.String("someone-else")}}}})
		require.NoError(t, err)

		_, err = tk[spec.S3Bucket](k).Create(ctx, desired(o, name, s3TestProps()))
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		assert.Contains(t, err.Error(), name)
		s3AssertUntouched(t, k, name, map[string]string{"owner": "someone-else"})
		err = k.Delete(ctx, state.Resource{Kind: k.Kind(), Owner: o, ID: name, Name: name})
		require.ErrorIs(t, err, reconcile.ErrNotOwned, "delete refuses a bucket without our tags")
	})
	t.Run("untagged with objects", func(t *testing.T) {
		name := "kindtest-full-" + o.Suffix
		s3CreateRaw(t, api, region, name)
		_, err := api.PutObject(ctx, &s3.PutObjectInput{Bucket: &name, Key: aws.String("data"), Body: strings.NewReader("x")})
		require.NoError(t, err)

		_, err = tk[spec.S3Bucket](k).Create(ctx, desired(o, name, s3TestProps()))
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		s3AssertUntouched(t, k, name, map[string]string{})
	})
	t.Run("untagged and empty is adopted", func(t *testing.T) {
		// What a crash between CreateBucket and PutBucketTagging leaves behind.
		name := "kindtest-orphan-" + o.Suffix
		s3CreateRaw(t, api, region, name)
		d := desired(o, name, s3TestProps())
		r, err := tk[spec.S3Bucket](k).Create(ctx, d)
		require.NoError(t, err)
		assert.Equal(t, d.Tags, r.Tags)
		assert.Empty(t, tk[spec.S3Bucket](k).Diff(d, r))
		require.NoError(t, k.Delete(ctx, r))
	})
	got, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	assert.Empty(t, got, "buckets without our tags are never listed")
}

func s3CreateRaw(t *testing.T, api *s3.Client, region, name string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: &name}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	_, err := api.CreateBucket(context.Background(), in)
	require.NoError(t, err)
}

// s3AssertUntouched checks that a refused bucket kept its tags and got none of our settings.
func s3AssertUntouched(t *testing.T, k *S3Bucket, name string, tags map[string]string) {
	t.Helper()
	got, err := k.tags(context.Background(), name, false)
	require.NoError(t, err)
	assert.Equal(t, tags, got, "tags untouched")
	p, err := k.observe(context.Background(), name, false)
	require.NoError(t, err)
	assert.False(t, p.Versioning, "versioning untouched")
	assert.False(t, p.DenyInsecureTransport, "policy untouched")
	assert.Empty(t, p.Lifecycle, "lifecycle untouched")
}

// TestS3BucketCreateMatchesReadBack: with the settings written at once, what Create returns is
// what reading the bucket afterwards gives, and a second Create (a rerun) adopts the bucket
// and changes nothing.
func TestS3BucketCreateMatchesReadBack(t *testing.T) {
	ctx := context.Background()
	api, region := s3Client(t)
	k := NewS3Bucket(api, region)
	o := testOwner(t, "readback")
	d := desired(o, "kindtest-readback-"+o.Suffix, s3TestProps())
	r, err := tk[spec.S3Bucket](k).Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })
	assert.Empty(t, tk[spec.S3Bucket](k).Diff(d, r))

	tags, err := k.tags(ctx, d.Name, false)
	require.NoError(t, err)
	props, err := k.observe(ctx, d.Name, false)
	require.NoError(t, err)
	assert.Equal(t, k.resource(d.Name, tags, props), r)

	again, err := tk[spec.S3Bucket](k).Create(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, r, again)
}
