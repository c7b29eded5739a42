package kinds

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// s3Fake is a hand-written fake of S3BucketAPI: each method records its name and calls its
// function field; a nil field fails the call. newS3Fake fills the fields with a small
// in-memory bucket, which tests override to produce errors.
type s3Fake struct {
	mu    sync.Mutex // held through each call: the kind calls at once, and the fields share a bucket
	calls fakeCalls

	listBuckets                     func(*s3.ListBucketsInput) (*s3.ListBucketsOutput, error)
	headBucket                      func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error)
	createBucket                    func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error)
	deleteBucket                    func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error)
	getBucketTagging                func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error)
	putBucketTagging                func(*s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error)
	getBucketVersioning             func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error)
	putBucketVersioning             func(*s3.PutBucketVersioningInput) (*s3.PutBucketVersioningOutput, error)
	getBucketEncryption             func(*s3.GetBucketEncryptionInput) (*s3.GetBucketEncryptionOutput, error)
	putBucketEncryption             func(*s3.PutBucketEncryptionInput) (*s3.PutBucketEncryptionOutput, error)
	getPublicAccessBlock            func(*s3.GetPublicAccessBlockInput) (*s3.GetPublicAccessBlockOutput, error)
	putPublicAccessBlock            func(*s3.PutPublicAccessBlockInput) (*s3.PutPublicAccessBlockOutput, error)
	deletePublicAccessBlock         func(*s3.DeletePublicAccessBlockInput) (*s3.DeletePublicAccessBlockOutput, error)
	getBucketPolicy                 func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error)
	putBucketPolicy                 func(*s3.PutBucketPolicyInput) (*s3.PutBucketPolicyOutput, error)
	deleteBucketPolicy              func(*s3.DeleteBucketPolicyInput) (*s3.DeleteBucketPolicyOutput, error)
	getBucketLifecycleConfiguration func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error)
	putBucketLifecycleConfiguration func(*s3.PutBucketLifecycleConfigurationInput) (*s3.PutBucketLifecycleConfigurationOutput, error)
	deleteBucketLifecycle           func(*s3.DeleteBucketLifecycleInput) (*s3.DeleteBucketLifecycleOutput, error)
	listObjectVersions              func(*s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error)
	deleteObjects                   func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error)
}

func (f *s3Fake) ListBuckets(_ context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return s3FakeCall(f, "ListBuckets", f.listBuckets, in)
}
func (f *s3Fake) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return s3FakeCall(f, "HeadBucket", f.headBucket, in)
}
func (f *s3Fake) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	return s3FakeCall(f, "CreateBucket", f.createBucket, in)
}
func (f *s3Fake) DeleteBucket(_ context.Context, in *s3.DeleteBucketInput, _ ...func(*s3.Options)) (*s3.DeleteBucketOutput, error) {
	return s3FakeCall(f, "DeleteBucket", f.deleteBucket, in)
}
func (f *s3Fake) GetBucketTagging(_ context.Context, in *s3.GetBucketTaggingInput, _ ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	return s3FakeCall(f, "GetBucketTagging", f.getBucketTagging, in)
}
func (f *s3Fake) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	return s3FakeCall(f, "PutBucketTagging", f.putBucketTagging, in)
}
func (f *s3Fake) GetBucketVersioning(_ context.Context, in *s3.GetBucketVersioningInput, _ ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	return s3FakeCall(f, "GetBucketVersioning", f.getBucketVersioning, in)
}
func (f *s3Fake) PutBucketVersioning(_ context.Context, in *s3.PutBucketVersioningInput, _ ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error) {
	return s3FakeCall(f, "PutBucketVersioning", f.putBucketVersioning, in)
}
func (f *s3Fake) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	return s3FakeCall(f, "GetBucketEncryption", f.getBucketEncryption, in)
}
func (f *s3Fake) PutBucketEncryption(_ context.Context, in *s3.PutBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error) {
	return s3FakeCall(f, "PutBucketEncryption", f.putBucketEncryption, in)
}
func (f *s3Fake) GetPublicAccessBlock(_ context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	return s3FakeCall(f, "GetPublicAccessBlock", f.getPublicAccessBlock, in)
}
func (f *s3Fake) PutPublicAccessBlock(_ context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	return s3FakeCall(f, "PutPublicAccessBlock", f.putPublicAccessBlock, in)
}
func (f *s3Fake) DeletePublicAccessBlock(_ context.Context, in *s3.DeletePublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.DeletePublicAccessBlockOutput, error) {
	return s3FakeCall(f, "DeletePublicAccessBlock", f.deletePublicAccessBlock, in)
}
func (f *s3Fake) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	return s3FakeCall(f, "GetBucketPolicy", f.getBucketPolicy, in)
}
func (f *s3Fake) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	return s3FakeCall(f, "PutBucketPolicy", f.putBucketPolicy, in)
}
func (f *s3Fake) DeleteBucketPolicy(_ context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	return s3FakeCall(f, "DeleteBucketPolicy", f.deleteBucketPolicy, in)
}
func (f *s3Fake) GetBucketLifecycleConfiguration(_ context.Context, in *s3.GetBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	return s3FakeCall(f, "GetBucketLifecycleConfiguration", f.getBucketLifecycleConfiguration, in)
}
func (f *s3Fake) PutBucketLifecycleConfiguration(_ context.Context, in *s3.PutBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	return s3FakeCall(f, "PutBucketLifecycleConfiguration", f.putBucketLifecycleConfiguration, in)
}
func (f *s3Fake) DeleteBucketLifecycle(_ context.Context, in *s3.DeleteBucketLifecycleInput, _ ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error) {
	return s3FakeCall(f, "DeleteBucketLifecycle", f.deleteBucketLifecycle, in)
}
func (f *s3Fake) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return s3FakeCall(f, "ListObjectVersions", f.listObjectVersions, in)
}
func (f *s3Fake) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	return s3FakeCall(f, "DeleteObjects", f.deleteObjects, in)
}

// s3FakeCall is fakeCall under f.mu. A function field may count f's calls (it holds mu).
func s3FakeCall[I, O any](f *s3Fake, op string, fn func(I) (O, error), in I) (O, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, op, fn, in)
}

func (f *s3Fake) count(op string) int { return f.calls.count(op) }

// writes returns the mutating calls made.
func (f *s3Fake) writes() []string {
	var out []string
	for _, c := range f.calls {
		switch c {
		case "ListBuckets", "HeadBucket", "GetBucketTagging", "GetBucketVersioning", "GetBucketEncryption",
			"GetPublicAccessBlock", "GetBucketPolicy", "GetBucketLifecycleConfiguration", "ListObjectVersions":
		default:
			out = append(out, c)
		}
	}
	return out
}

// s3Mem is the in-memory bucket behind newS3Fake.
type s3Mem struct {
	exists     bool
	tags       map[string]string
	versioning types.BucketVersioningStatus
	encryption *types.ServerSideEncryptionRule
	pab        *types.PublicAccessBlockConfiguration
	policy     string
	lifecycle  []types.LifecycleRule
	objects    []types.ObjectIdentifier // versions and delete markers
}

func s3APIErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func newS3Fake(m *s3Mem) *s3Fake {
	missing := func() error { return &types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")} }
	return &s3Fake{
		headBucket: func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
			if !m.exists {
				return nil, &types.NotFound{}
			}
			return &s3.HeadBucketOutput{}, nil
		},
		createBucket: func(in *s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
			m.exists = true
			return &s3.CreateBucketOutput{}, nil
		},
		deleteBucket: func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error) {
			if len(m.objects) > 0 {
				return nil, s3APIErr("BucketNotEmpty")
			}
			m.exists = false
			return &s3.DeleteBucketOutput{}, nil
		},
		getBucketTagging: func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
			if !m.exists {
				return nil, missing()
			}
			if len(m.tags) == 0 {
				return nil, s3APIErr("NoSuchTagSet")
			}
			return &s3.GetBucketTaggingOutput{TagSet: awscall.TagList(m.tags, s3Tag)}, nil
		},
		putBucketTagging: func(in *s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) {
			m.tags = map[string]string{}
			for _, t := range in.Tagging.TagSet {
				m.tags[*t.Key] = *t.Value
			}
			return &s3.PutBucketTaggingOutput{}, nil
		},
		getBucketVersioning: func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
			return &s3.GetBucketVersioningOutput{Status: m.versioning}, nil
		},
		putBucketVersioning: func(in *s3.PutBucketVersioningInput) (*s3.PutBucketVersioningOutput, error) {
			m.versioning = in.VersioningConfiguration.Status
			return &s3.PutBucketVersioningOutput{}, nil
		},
		getBucketEncryption: func(*s3.GetBucketEncryptionInput) (*s3.GetBucketEncryptionOutput, error) {
			if m.encryption == nil {
				return nil, s3APIErr("ServerSideEncryptionConfigurationNotFoundError")
			}
			return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
				Rules: []types.ServerSideEncryptionRule{*m.encryption}}}, nil
		},
		putBucketEncryption: func(in *s3.PutBucketEncryptionInput) (*s3.PutBucketEncryptionOutput, error) {
			m.encryption = &in.ServerSideEncryptionConfiguration.Rules[0]
			return &s3.PutBucketEncryptionOutput{}, nil
		},
		getPublicAccessBlock: func(*s3.GetPublicAccessBlockInput) (*s3.GetPublicAccessBlockOutput, error) {
			if m.pab == nil {
				return nil, s3APIErr("NoSuchPublicAccessBlockConfiguration")
			}
			return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: m.pab}, nil
		},
		putPublicAccessBlock: func(in *s3.PutPublicAccessBlockInput) (*s3.PutPublicAccessBlockOutput, error) {
			m.pab = in.PublicAccessBlockConfiguration
			return &s3.PutPublicAccessBlockOutput{}, nil
		},
		deletePublicAccessBlock: func(*s3.DeletePublicAccessBlockInput) (*s3.DeletePublicAccessBlockOutput, error) {
			m.pab = nil
			return &s3.DeletePublicAccessBlockOutput{}, nil
		},
		getBucketPolicy: func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error) {
			if m.policy == "" {
				return nil, s3APIErr("NoSuchBucketPolicy")
			}
			return &s3.GetBucketPolicyOutput{Policy: aws.String(m.policy)}, nil
		},
		putBucketPolicy: func(in *s3.PutBucketPolicyInput) (*s3.PutBucketPolicyOutput, error) {
			m.policy = *in.Policy
			return &s3.PutBucketPolicyOutput{}, nil
		},
		deleteBucketPolicy: func(*s3.DeleteBucketPolicyInput) (*s3.DeleteBucketPolicyOutput, error) {
			m.policy = ""
			return &s3.DeleteBucketPolicyOutput{}, nil
		},
		getBucketLifecycleConfiguration: func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error) {
			if len(m.lifecycle) == 0 {
				return nil, s3APIErr("NoSuchLifecycleConfiguration")
			}
			return &s3.GetBucketLifecycleConfigurationOutput{Rules: m.lifecycle}, nil
		},
		putBucketLifecycleConfiguration: func(in *s3.PutBucketLifecycleConfigurationInput) (*s3.PutBucketLifecycleConfigurationOutput, error) {
			m.lifecycle = in.LifecycleConfiguration.Rules
			return &s3.PutBucketLifecycleConfigurationOutput{}, nil
		},
		deleteBucketLifecycle: func(*s3.DeleteBucketLifecycleInput) (*s3.DeleteBucketLifecycleOutput, error) {
			m.lifecycle = nil
			return &s3.DeleteBucketLifecycleOutput{}, nil
		},
		listObjectVersions: func(in *s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error) {
			out := &s3.ListObjectVersionsOutput{}
			for i, o := range m.objects {
				if i == int(aws.ToInt32(in.MaxKeys)) {
					break
				}
				if i%2 == 0 {
					out.Versions = append(out.Versions, types.ObjectVersion{Key: o.Key, VersionId: o.VersionId})
				} else {
					out.DeleteMarkers = append(out.DeleteMarkers, types.DeleteMarkerEntry{Key: o.Key, VersionId: o.VersionId})
				}
			}
			return out, nil
		},
		deleteObjects: func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
			gone := map[string]bool{}
			for _, o := range in.Delete.Objects {
				gone[*o.Key+"@"+*o.VersionId] = true
			}
			var keep []types.ObjectIdentifier
			for _, o := range m.objects {
				if !gone[*o.Key+"@"+*o.VersionId] {
					keep = append(keep, o)
				}
			}
			m.objects = keep
			return &s3.DeleteObjectsOutput{}, nil
		},
	}
}

var s3TestOwner = state.Owner{Stack: "shop", Suffix: "dev", ID: "archive"}

func s3Desired(p *spec.S3Bucket) reconcile.Desired {
	tags := s3TestOwner.Tags()
	tags["Project"] = "shop"
	return reconcile.Desired{Owner: s3TestOwner, Name: "shop-archive-dev", Props: p, Tags: tags}
}

func s3Defaults() *spec.S3Bucket {
	return &spec.S3Bucket{Versioning: true, Encryption: "AES256", BlockPublicAccess: true, DenyInsecureTransport: true}
}

func newTestS3(f *s3Fake, region string) *S3Bucket {
	k := NewS3Bucket(f, region)
	k.wait = reconcile.InstantBackoff
	return k
}

// s3Applied is a bucket already at s3Desired(s3Defaults()).
func s3Applied() *s3Mem {
	m := &s3Mem{exists: true}
	k := newTestS3(newS3Fake(m), "us-east-1")
	d := s3Desired(s3Defaults())
	w, err := reconcile.WantOf[spec.S3Bucket](k.Kind(), d)
	if err != nil {
		panic(err)
	}
	changes, err := reconcile.Compare(reconcile.Adapt[spec.S3Bucket](k), d, k.resource(d.Name, nil, &spec.S3Bucket{}))
	if err != nil {
		panic(err)
	}
	if err := k.apply(context.Background(), w, nil, changes, false, nil); err != nil {
		panic(err)
	}
	return m
}

func TestS3BucketDiff(t *testing.T) {
	tests := []struct {
		name  string
		live  func(p *spec.S3Bucket)
		want  func(p *spec.S3Bucket)
		paths []string
	}{
		{name: "no change"},
		{name: "versioning", want: func(p *spec.S3Bucket) { p.Versioning = false }, paths: []string{"versioning"}},
		{name: "encryption", want: func(p *spec.S3Bucket) { p.Encryption = "aws:kms" }, paths: []string{"encryption"}},
		{name: "kms key", live: s3KMS("", false), want: s3KMS("arn:aws:kms:eu-west-1:1:key/k", false), paths: []string{"kms_key_arn"}},
		{name: "bucket key", live: s3KMS("", false), want: s3KMS("", true), paths: []string{"bucket_key"}},
		{name: "kms fields mean nothing with AES256", want: func(p *spec.S3Bucket) { p.BucketKey, p.KMSKeyARN = true, "arn:k" }},
		{name: "block public access", want: func(p *spec.S3Bucket) { p.BlockPublicAccess = false }, paths: []string{"block_public_access"}},
		{name: "deny insecure transport", want: func(p *spec.S3Bucket) { p.DenyInsecureTransport = false }, paths: []string{"deny_insecure_transport"}},
		{name: "lifecycle added", want: s3Rules(spec.LifecycleRule{ID: "a", ExpirationDays: 3}), paths: []string{"lifecycle"}},
		{name: "lifecycle order ignored",
			live: s3Rules(spec.LifecycleRule{ID: "a", ExpirationDays: 3}, spec.LifecycleRule{ID: "b", ExpirationDays: 4,
				Transitions: []spec.Transition{{Days: 1, StorageClass: "GLACIER"}, {Days: 0, StorageClass: "STANDARD_IA"}}}),
			want: s3Rules(spec.LifecycleRule{ID: "b", ExpirationDays: 4,
				Transitions: []spec.Transition{{Days: 0, StorageClass: "STANDARD_IA"}, {Days: 1, StorageClass: "GLACIER"}}},
				spec.LifecycleRule{ID: "a", ExpirationDays: 3})},
		{name: "lifecycle rule changed",
			live:  s3Rules(spec.LifecycleRule{ID: "a", ExpirationDays: 3}, spec.LifecycleRule{ID: "b", Prefix: "x/"}),
			want:  s3Rules(spec.LifecycleRule{ID: "a", ExpirationDays: 3}, spec.LifecycleRule{ID: "b", Prefix: "y/"}),
			paths: []string{"lifecycle[1]"}},
	}
	k := newTestS3(&s3Fake{}, "us-east-1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live, want := s3Defaults(), s3Defaults()
			if tt.live != nil {
				tt.live(live)
			}
			if tt.want != nil {
				tt.want(want)
			}
			var paths []string
			for _, d := range tk[spec.S3Bucket](k).Diff(s3Desired(want), state.Resource{Props: live}) {
				assert.False(t, d.ForceNew, "no s3.bucket field forces a replacement")
				paths = append(paths, d.Path)
			}
			assert.Equal(t, tt.paths, paths)
		})
	}
}

func s3KMS(key string, bucketKey bool) func(p *spec.S3Bucket) {
	return func(p *spec.S3Bucket) { p.Encryption, p.KMSKeyARN, p.BucketKey = "aws:kms", key, bucketKey }
}

func s3Rules(rules ...spec.LifecycleRule) func(p *spec.S3Bucket) {
	return func(p *spec.S3Bucket) { p.Lifecycle = rules }
}

func TestS3BucketCreate(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		t.Run(region, func(t *testing.T) {
			m := &s3Mem{}
			f := newS3Fake(m)
			var sent *s3.CreateBucketInput
			create := f.createBucket
			f.createBucket = func(in *s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
				sent = in
				return create(in)
			}
			// A new bucket briefly answers 404 to its own settings calls.
			tagging := f.getBucketTagging
			f.getBucketTagging = func(in *s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
				if f.count("GetBucketTagging") <= 2 {
					return nil, &types.NoSuchBucket{Message: aws.String("The specified bucket does not exist")}
				}
				return tagging(in)
			}
			p := s3Defaults()
			p.Lifecycle = []spec.LifecycleRule{{ID: "logs", Prefix: "logs/", ExpirationDays: 30,
				Transitions: []spec.Transition{{Days: 7, StorageClass: "STANDARD_IA"}}, NoncurrentExpirationDays: 3, AbortIncompleteUploadDays: 1}}
			d := s3Desired(p)

			ctx, lines := reports(t)
			r, err := tk[spec.S3Bucket](newTestS3(f, region)).Create(ctx, d)
			require.NoError(t, err)
			assertWaited(t, *lines, "the new s3 bucket to answer its settings calls")
			assert.Equal(t, d.Tags, s3TagMap(sent.CreateBucketConfiguration.Tags), "tags go in CreateBucket itself")
			if region == "us-east-1" {
				assert.Empty(t, sent.CreateBucketConfiguration.LocationConstraint)
			} else {
				assert.Equal(t, types.BucketLocationConstraint(region), sent.CreateBucketConfiguration.LocationConstraint)
			}
			assert.Equal(t, d.Tags, m.tags, "tagged again right after, for endpoints that ignore tags on create")
			assert.Empty(t, tk[spec.S3Bucket](newTestS3(f, region)).Diff(d, r))
			assert.Equal(t, types.BucketVersioningStatusEnabled, m.versioning)
			assert.Contains(t, m.policy, s3TLSSid)
			assert.Equal(t, "shop-archive-dev.s3."+region+".amazonaws.com", r.Attrs["domain_name"])
			assert.Zero(t, f.count("ListObjectVersions"), "a bucket we just created needs no claim")
		})
	}
}

func s3TagMap(tags []types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		out[*t.Key] = *t.Value
	}
	return out
}

func TestS3BucketCreateRetriesOperationAborted(t *testing.T) {
	m := &s3Mem{}
	f := newS3Fake(m)
	create := f.createBucket
	f.createBucket = func(in *s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
		if f.count("CreateBucket") < 3 {
			return nil, s3APIErr("OperationAborted")
		}
		return create(in)
	}
	_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Create(context.Background(), s3Desired(s3Defaults()))
	require.NoError(t, err)
	assert.Equal(t, 3, f.count("CreateBucket"))
}

func TestS3BucketCreateAdopts(t *testing.T) {
	tests := []struct {
		name string
		mem  *s3Mem
		head func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error)
	}{
		{name: "ours", mem: &s3Mem{exists: true, tags: s3TestOwner.Tags()}},
		{name: "untagged and empty: a crash between create and tagging", mem: &s3Mem{exists: true}},
		{name: "BucketAlreadyOwnedByYou", mem: &s3Mem{exists: true, tags: s3TestOwner.Tags()},
			head: func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) { return nil, s3APIErr("Forbidden") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fake(tt.mem)
			f.createBucket = func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
				return nil, s3APIErr("BucketAlreadyOwnedByYou")
			}
			if tt.head != nil {
				f.headBucket = tt.head
			}
			d := s3Desired(s3Defaults())
			r, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Equal(t, d.Tags, r.Tags)
			assert.Equal(t, types.BucketVersioningStatusEnabled, tt.mem.versioning, "the adopted bucket is brought to d")
			if tt.head == nil {
				assert.Zero(t, f.count("CreateBucket"), "an existing bucket is not created again (us-east-1 would answer 200)")
			}
		})
	}
}

func TestS3BucketCreateRefusesNotOurs(t *testing.T) {
	obj := types.ObjectIdentifier{Key: aws.String("data"), VersionId: aws.String("v1")}
	tests := []struct {
		name   string
		mem    *s3Mem
		create func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error)
	}{
		{name: "tagged by someone else", mem: &s3Mem{exists: true, tags: map[string]string{"owner": "ops"}}},
		{name: "another suffix", mem: &s3Mem{exists: true, tags: state.Owner{Stack: "shop", Suffix: "prod", ID: "archive"}.Tags()}},
		{name: "untagged with objects", mem: &s3Mem{exists: true, objects: []types.ObjectIdentifier{obj}}},
		{name: "another account's", mem: &s3Mem{}, create: func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
			return nil, &types.BucketAlreadyExists{Message: aws.String("The requested bucket name is not available")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fake(tt.mem)
			if tt.create != nil {
				f.createBucket = tt.create
			}
			d := s3Desired(s3Defaults())
			_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Create(context.Background(), d)
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), d.Name)
			writes := f.writes()
			if tt.create != nil {
				assert.Equal(t, []string{"CreateBucket"}, writes)
			} else {
				assert.Empty(t, writes, "nothing is changed on a bucket that is not ours")
			}
		})
	}
}

func TestS3BucketUpdate(t *testing.T) {
	t.Run("versioning false suspends", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		p := s3Defaults()
		p.Versioning = false
		d := s3Desired(p)
		r, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, s3Live(f, d))
		require.NoError(t, err)
		assert.Equal(t, types.BucketVersioningStatusSuspended, m.versioning)
		assert.False(t, r.Props.(*spec.S3Bucket).Versioning)
		assert.Equal(t, []string{"PutBucketVersioning"}, f.writes(), "only what differs is written")
	})
	t.Run("kms keeps the SSE-C block", func(t *testing.T) {
		m := s3Applied()
		blocked := &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{"SSE-C"}}
		m.encryption.BlockedEncryptionTypes = blocked
		f := newS3Fake(m)
		d := s3Desired(s3Defaults())
		s3KMS("arn:aws:kms:us-east-1:1:key/k", true)(d.Props.(*spec.S3Bucket))
		_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, s3Live(f, d))
		require.NoError(t, err)
		assert.Equal(t, types.ServerSideEncryptionAwsKms, m.encryption.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
		assert.Equal(t, "arn:aws:kms:us-east-1:1:key/k", *m.encryption.ApplyServerSideEncryptionByDefault.KMSMasterKeyID)
		assert.True(t, *m.encryption.BucketKeyEnabled)
		assert.Equal(t, blocked, m.encryption.BlockedEncryptionTypes)
	})
	t.Run("public access block off", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		p := s3Defaults()
		p.BlockPublicAccess = false
		d := s3Desired(p)
		_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, s3Live(f, d))
		require.NoError(t, err)
		assert.Nil(t, m.pab)
		assert.Equal(t, []string{"DeletePublicAccessBlock"}, f.writes())
	})
	t.Run("empty lifecycle deletes it", func(t *testing.T) {
		m := s3Applied()
		m.lifecycle = []types.LifecycleRule{s3LifecycleRule(spec.LifecycleRule{ID: "a", ExpirationDays: 1})}
		f := newS3Fake(m)
		d := s3Desired(s3Defaults())
		_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, s3Live(f, d))
		require.NoError(t, err)
		assert.Equal(t, []string{"DeleteBucketLifecycle"}, f.writes())
	})
	t.Run("tags replaced as a whole", func(t *testing.T) {
		m := s3Applied()
		m.tags["Extra"] = "x"
		f := newS3Fake(m)
		d := s3Desired(s3Defaults())
		_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, s3Live(f, d))
		require.NoError(t, err)
		assert.Equal(t, d.Tags, m.tags)
	})
}

// s3Live observes the fake's bucket as List would.
func s3Live(f *s3Fake, d reconcile.Desired) state.Resource {
	k := newTestS3(f, "us-east-1")
	tags, _ := k.tags(context.Background(), d.Name, false)
	p, err := k.observe(context.Background(), d.Name, false)
	if err != nil {
		panic(err)
	}
	f.calls = nil
	return k.resource(d.Name, tags, p)
}

func TestS3BucketTLSPolicy(t *testing.T) {
	const other = `{"Sid":"reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
	tests := []struct {
		name       string
		policy     string
		on         bool
		wantPolicy []string // Sids left
		deleted    bool
	}{
		{name: "add to none", on: true, wantPolicy: []string{s3TLSSid}},
		{name: "add keeps others", policy: `{"Version":"2012-10-17","Statement":[` + other + `]}`, on: true, wantPolicy: []string{"reader", s3TLSSid}},
		{name: "single statement object form", policy: `{"Version":"2012-10-17","Statement":` + other + `}`, on: true, wantPolicy: []string{"reader", s3TLSSid}},
		{name: "remove keeps others", policy: `{"Version":"2012-10-17","Statement":[` + other + `,{"Sid":"` + s3TLSSid + `","Effect":"Deny"}]}`, wantPolicy: []string{"reader"}},
		{name: "remove the last deletes the policy", policy: `{"Version":"2012-10-17","Statement":[{"Sid":"` + s3TLSSid + `","Effect":"Deny"}]}`, deleted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &s3Mem{exists: true, policy: tt.policy}
			f := newS3Fake(m)
			require.NoError(t, newTestS3(f, "us-east-1").putTLSPolicy(context.Background(), "b", tt.on, nil))
			if tt.deleted {
				assert.Equal(t, 1, f.count("DeleteBucketPolicy"))
				return
			}
			doc, err := s3ParsePolicy(m.policy)
			require.NoError(t, err)
			var sids []string
			for _, s := range doc.statements {
				sids = append(sids, s.(map[string]any)["Sid"].(string))
			}
			assert.Equal(t, tt.wantPolicy, sids)
			if tt.on {
				assert.Contains(t, m.policy, `"aws:SecureTransport":"false"`)
				assert.Contains(t, m.policy, `"arn:aws:s3:::b/*"`)
			}
		})
	}
}

func TestS3BucketDelete(t *testing.T) {
	for _, ignoresMaxKeys := range []bool{false, true} {
		t.Run(fmt.Sprintf("versions and delete markers in batches of 1000, listing ignores MaxKeys %v", ignoresMaxKeys), func(t *testing.T) {
			s3DeleteInBatches(t, ignoresMaxKeys)
		})
	}
	t.Run("written to while emptied", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		del := f.deleteBucket
		f.deleteBucket = func(in *s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error) {
			if f.count("DeleteBucket") == 1 { // an object arrived late
				m.objects = append(m.objects, types.ObjectIdentifier{Key: aws.String("late"), VersionId: aws.String("1")})
			}
			return del(in)
		}
		d := s3Desired(s3Defaults())
		require.NoError(t, newTestS3(f, "us-east-1").Delete(context.Background(), s3Live(f, d)))
		assert.Equal(t, 2, f.count("DeleteBucket"))
		assert.Equal(t, 1, f.count("DeleteObjects"))
		assert.False(t, m.exists)
	})
	t.Run("waits until gone", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		head := f.headBucket
		f.headBucket = func(in *s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
			if f.count("HeadBucket") < 3 {
				return &s3.HeadBucketOutput{}, nil // still answering for a moment
			}
			return head(in)
		}
		d := s3Desired(s3Defaults())
		require.NoError(t, newTestS3(f, "us-east-1").Delete(context.Background(), s3Live(f, d)))
		assert.Equal(t, 3, f.count("HeadBucket"))
	})
	t.Run("object errors are reported", func(t *testing.T) {
		m := s3Applied()
		m.objects = []types.ObjectIdentifier{{Key: aws.String("locked"), VersionId: aws.String("1")}}
		f := newS3Fake(m)
		f.deleteObjects = func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
			return &s3.DeleteObjectsOutput{Errors: []types.Error{{Key: aws.String("locked"), VersionId: aws.String("1"),
				Code: aws.String("AccessDenied"), Message: aws.String("object lock")}}}, nil
		}
		d := s3Desired(s3Defaults())
		err := newTestS3(f, "us-east-1").Delete(context.Background(), s3Live(f, d))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "locked")
		assert.Zero(t, f.count("DeleteBucket"))
	})
	t.Run("not found", func(t *testing.T) {
		f := newS3Fake(&s3Mem{})
		d := s3Desired(s3Defaults())
		require.NoError(t, newTestS3(f, "us-east-1").Delete(context.Background(), state.Resource{Owner: s3TestOwner, ID: d.Name}))
		assert.Empty(t, f.writes())
	})
	t.Run("gone between tags and delete", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		f.deleteBucket = func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error) {
			m.exists = false
			return nil, &types.NoSuchBucket{}
		}
		d := s3Desired(s3Defaults())
		require.NoError(t, newTestS3(f, "us-east-1").Delete(context.Background(), s3Live(f, d)))
	})
	t.Run("not ours", func(t *testing.T) {
		m := s3Applied()
		m.tags = map[string]string{"owner": "ops"}
		f := newS3Fake(m)
		err := newTestS3(f, "us-east-1").Delete(context.Background(), state.Resource{Owner: s3TestOwner, ID: "shop-archive-dev"})
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		assert.Empty(t, f.writes())
	})
}

func TestS3BucketListFiltersByTags(t *testing.T) {
	buckets := map[string]*s3Mem{
		"ours-dev":         s3Applied(),
		"other-suffix-dev": {exists: true, tags: state.Owner{Stack: "shop", Suffix: "prod", ID: "archive"}.Tags()},
		"untagged-dev":     {exists: true},
		"locked-dev":       {exists: true},
		"vanished-dev":     {},
		"elsewhere-dev":    s3Applied(), // ours, but in another region
	}
	fakes := map[string]*s3Fake{}
	for name, m := range buckets {
		fakes[name] = newS3Fake(m)
	}
	fakes["locked-dev"].getBucketTagging = func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
		return nil, s3APIErr("AccessDenied")
	}
	f := &s3Fake{}
	var regions []string
	f.listBuckets = func(in *s3.ListBucketsInput) (*s3.ListBucketsOutput, error) {
		regions = append(regions, aws.ToString(in.BucketRegion))
		if in.ContinuationToken == nil {
			return &s3.ListBucketsOutput{Buckets: []types.Bucket{{Name: aws.String("ours-dev")}, {Name: aws.String("other-suffix-dev")}},
				ContinuationToken: aws.String("next")}, nil
		}
		return &s3.ListBucketsOutput{Buckets: []types.Bucket{{Name: aws.String("untagged-dev")}, {Name: aws.String("locked-dev")},
			{Name: aws.String("vanished-dev")}, {Name: aws.String("elsewhere-dev"), BucketRegion: aws.String("eu-west-1")}}}, nil
	}
	// Route every per-bucket read to that bucket's fake.
	f.getBucketTagging = func(in *s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
		return fakes[*in.Bucket].getBucketTagging(in)
	}
	ours := fakes["ours-dev"]
	f.getBucketVersioning, f.getBucketEncryption, f.getPublicAccessBlock = ours.getBucketVersioning, ours.getBucketEncryption, ours.getPublicAccessBlock
	f.getBucketPolicy, f.getBucketLifecycleConfiguration = ours.getBucketPolicy, ours.getBucketLifecycleConfiguration

	k := newTestS3(f, "us-east-1")
	got, err := k.List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "ours-dev", got[0].ID)
	assert.Equal(t, s3TestOwner, got[0].Owner)
	assert.Equal(t, []string{"us-east-1", "us-east-1"}, regions, "listed with the region filter, both pages")
	assert.Equal(t, 1, f.count("GetBucketVersioning"), "only ours-dev is observed further")
	assert.Equal(t, map[string]string{"arn": "arn:aws:s3:::ours-dev", "name": "ours-dev", "domain_name": "ours-dev.s3.us-east-1.amazonaws.com"}, got[0].Attrs)
	d := s3Desired(s3Defaults())
	d.Name = "ours-dev"
	assert.Empty(t, tk[spec.S3Bucket](k).Diff(d, got[0]))
}

func TestS3BucketListError(t *testing.T) {
	f := &s3Fake{listBuckets: func(*s3.ListBucketsInput) (*s3.ListBucketsOutput, error) { return nil, s3APIErr("AccessDenied") }}
	_, err := newTestS3(f, "us-east-1").List(context.Background(), state.Selector{Suffix: "dev"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "list s3 buckets")
}

func TestS3BucketPartition(t *testing.T) {
	tests := map[string][2]string{
		"us-east-1":     {"arn:aws:s3:::b", "b.s3.us-east-1.amazonaws.com"},
		"cn-north-1":    {"arn:aws-cn:s3:::b", "b.s3.cn-north-1.amazonaws.com.cn"},
		"us-gov-west-1": {"arn:aws-us-gov:s3:::b", "b.s3.us-gov-west-1.amazonaws.com"},
	}
	for region, want := range tests {
		r := newTestS3(&s3Fake{}, region).resource("b", nil, &spec.S3Bucket{})
		assert.Equal(t, want[0], r.Attrs["arn"], region)
		assert.Equal(t, want[1], r.Attrs["domain_name"], region)
	}
}

func TestS3BucketNotFoundMapping(t *testing.T) {
	f := newS3Fake(&s3Mem{})
	f.getBucketVersioning = func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
		return nil, &types.NoSuchBucket{}
	}
	_, err := newTestS3(f, "us-east-1").observe(context.Background(), "gone", false)
	require.ErrorIs(t, err, reconcile.ErrNotFound)
	assert.Contains(t, err.Error(), "read versioning of s3 bucket gone")
	assert.False(t, errors.Is(s3NotFound(s3APIErr("AccessDenied")), reconcile.ErrNotFound))
}

func s3DeleteInBatches(t *testing.T, ignoresMaxKeys bool) {
	m := s3Applied()
	for i := range 2500 {
		m.objects = append(m.objects, types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("k%d", i%7)), VersionId: aws.String(fmt.Sprint(i))})
	}
	f := newS3Fake(m)
	if ignoresMaxKeys {
		list := f.listObjectVersions
		f.listObjectVersions = func(in *s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error) {
			all := *in
			all.MaxKeys = aws.Int32(10000)
			return list(&all)
		}
	}
	var batches []int
	del := f.deleteObjects
	f.deleteObjects = func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
		batches = append(batches, len(in.Delete.Objects))
		return del(in)
	}
	d := s3Desired(s3Defaults())
	require.NoError(t, newTestS3(f, "us-east-1").Delete(context.Background(), s3Live(f, d)))
	assert.Equal(t, []int{1000, 1000, 500}, batches)
	assert.False(t, m.exists)
}

func TestS3BucketSettle(t *testing.T) {
	t.Run("reads back until the write is visible", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		p := s3Defaults()
		p.Versioning = false
		d := s3Desired(p)
		live := s3Live(f, d)
		get := f.getBucketVersioning
		stale := 0
		f.getBucketVersioning = func(in *s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
			if stale++; stale <= 2 { // eventually consistent: the old status for a while
				return &s3.GetBucketVersioningOutput{Status: types.BucketVersioningStatusEnabled}, nil
			}
			return get(in)
		}
		r, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, live)
		require.NoError(t, err)
		assert.False(t, r.Props.(*spec.S3Bucket).Versioning)
		assert.Equal(t, 3, stale)
	})
	t.Run("read errors are not swallowed", func(t *testing.T) {
		m := s3Applied()
		f := newS3Fake(m)
		d := s3Desired(s3Defaults())
		live := s3Live(f, d)
		f.getBucketPolicy = func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error) {
			return nil, s3APIErr("AccessDenied")
		}
		_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Update(context.Background(), d, live)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "read policy of s3 bucket shop-archive-dev")
	})
}

func TestS3BucketObserve(t *testing.T) {
	kmsRule := &types.ServerSideEncryptionRule{BucketKeyEnabled: aws.Bool(true), ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
		SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("arn:k")}}
	allOn := &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	threeOn := &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true)}
	rule := s3LifecycleRule(spec.LifecycleRule{ID: "b", Prefix: "x/", ExpirationDays: 3})
	disabled := s3LifecycleRule(spec.LifecycleRule{ID: "a", ExpirationDays: 1})
	disabled.Status = types.ExpirationStatusDisabled
	tests := []struct {
		name string
		mem  *s3Mem
		want *spec.S3Bucket
	}{
		{name: "nothing configured", mem: &s3Mem{exists: true}, want: &spec.S3Bucket{}},
		{name: "applied defaults", mem: s3Applied(), want: s3Defaults()},
		{name: "suspended versioning reads false", mem: &s3Mem{exists: true, versioning: types.BucketVersioningStatusSuspended}, want: &spec.S3Bucket{}},
		{name: "kms", mem: &s3Mem{exists: true, encryption: kmsRule}, want: &spec.S3Bucket{Encryption: "aws:kms", KMSKeyARN: "arn:k", BucketKey: true}},
		{name: "public access block needs all four", mem: &s3Mem{exists: true, pab: threeOn}, want: &spec.S3Bucket{}},
		{name: "public access block all four", mem: &s3Mem{exists: true, pab: allOn}, want: &spec.S3Bucket{BlockPublicAccess: true}},
		{name: "policy without our statement", mem: &s3Mem{exists: true, policy: `{"Statement":[{"Sid":"other"}]}`}, want: &spec.S3Bucket{}},
		{name: "disabled rules are absent", mem: &s3Mem{exists: true, lifecycle: []types.LifecycleRule{rule, disabled}},
			want: &spec.S3Bucket{Lifecycle: []spec.LifecycleRule{{ID: "b", Prefix: "x/", ExpirationDays: 3}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fake(tt.mem)
			got, err := newTestS3(f, "us-east-1").observe(context.Background(), "b", false)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.ElementsMatch(t, []string{"GetBucketVersioning", "GetBucketEncryption", "GetPublicAccessBlock", "GetBucketPolicy",
				"GetBucketLifecycleConfiguration"}, []string(f.calls), "one read per setting")
		})
	}
}

func TestS3BucketObserveErrors(t *testing.T) {
	denied := func() error { return s3APIErr("AccessDenied") }
	tests := []struct {
		name  string
		fail  func(f *s3Fake)
		msg   string
		found bool // the error is not ErrNotFound
	}{
		{name: "the first failing read in order is the one said, whichever answered first",
			fail: func(f *s3Fake) {
				f.getBucketLifecycleConfiguration = func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error) {
					return nil, denied()
				}
				f.getBucketPolicy = func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error) { return nil, denied() }
			},
			msg: "read policy of s3 bucket b: api error AccessDenied"},
		{name: "a read stopped by another's failure is not the error",
			fail: func(f *s3Fake) {
				// versioning waits for the bucket to answer until the policy read's failure stops it.
				f.getBucketVersioning = func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
					return nil, &types.NoSuchBucket{}
				}
				f.getBucketPolicy = func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error) { return nil, denied() }
			},
			msg: "read policy of s3 bucket b: api error AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fake(s3Applied())
			tt.fail(f)
			k := newTestS3(f, "us-east-1")
			k.wait = reconcile.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Budget: time.Hour}
			_, err := k.observe(context.Background(), "b", true)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.False(t, errors.Is(err, reconcile.ErrNotFound), "AccessDenied is not a missing bucket")
		})
	}
}

// TestS3BucketCreateReturnsWhatIsRead: the resource Create returns is what observing the
// bucket right after gives, and shows no difference from d.
func TestS3BucketCreateReturnsWhatIsRead(t *testing.T) {
	tests := []struct {
		name string
		p    func(p *spec.S3Bucket)
	}{
		{name: "defaults"},
		{name: "kms with a key and a bucket key", p: s3KMS("arn:aws:kms:us-east-1:1:key/k", true)},
		{name: "kms without a key", p: s3KMS("", false)},
		{name: "everything off", p: func(p *spec.S3Bucket) { *p = spec.S3Bucket{Encryption: "AES256"} }},
		{name: "lifecycle out of order", p: s3Rules(
			spec.LifecycleRule{ID: "z", Transitions: []spec.Transition{{Days: 90, StorageClass: "GLACIER"}, {Days: 30, StorageClass: "STANDARD_IA"}}},
			spec.LifecycleRule{ID: "a", Prefix: "logs/", ExpirationDays: 30, NoncurrentExpirationDays: 3, AbortIncompleteUploadDays: 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fake(&s3Mem{})
			p := s3Defaults()
			if tt.p != nil {
				tt.p(p)
			}
			d := s3Desired(p)
			k := newTestS3(f, "us-east-1")
			r, err := tk[spec.S3Bucket](k).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Empty(t, tk[spec.S3Bucket](k).Diff(d, r))
			read := s3Live(f, d)
			assert.Equal(t, read, r)
		})
	}
}

func TestS3BucketCreateWriteFails(t *testing.T) {
	boom := s3APIErr("InternalError")
	tests := []struct {
		name string
		fail func(f *s3Fake)
		what string
	}{
		{"tags", func(f *s3Fake) {
			f.putBucketTagging = func(*s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) { return nil, boom }
		}, "tags"},
		{"versioning", func(f *s3Fake) {
			f.putBucketVersioning = func(*s3.PutBucketVersioningInput) (*s3.PutBucketVersioningOutput, error) { return nil, boom }
		}, "versioning"},
		{"encryption", func(f *s3Fake) {
			f.putBucketEncryption = func(*s3.PutBucketEncryptionInput) (*s3.PutBucketEncryptionOutput, error) { return nil, boom }
		}, "encryption"},
		{"public access block", func(f *s3Fake) {
			f.putPublicAccessBlock = func(*s3.PutPublicAccessBlockInput) (*s3.PutPublicAccessBlockOutput, error) { return nil, boom }
		}, "public access block"},
		{"policy", func(f *s3Fake) {
			f.putBucketPolicy = func(*s3.PutBucketPolicyInput) (*s3.PutBucketPolicyOutput, error) { return nil, boom }
		}, "policy"},
		{"lifecycle", func(f *s3Fake) {
			f.putBucketLifecycleConfiguration = func(*s3.PutBucketLifecycleConfigurationInput) (*s3.PutBucketLifecycleConfigurationOutput, error) {
				return nil, boom
			}
		}, "lifecycle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newS3Fake(&s3Mem{})
			tt.fail(f)
			p := s3Defaults()
			s3Rules(spec.LifecycleRule{ID: "a", ExpirationDays: 3})(p)
			_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Create(context.Background(), s3Desired(p))
			require.ErrorIs(t, err, boom)
			assert.Contains(t, err.Error(), "update "+tt.what+" of s3 bucket shop-archive-dev: ")
			if tt.what == "tags" {
				assert.Equal(t, []string{"CreateBucket", "PutBucketTagging"}, f.writes(), "no setting is written before the bucket is ours")
			}
		})
	}
}

func TestS3BucketWriteRetriesOperationAborted(t *testing.T) {
	m := &s3Mem{}
	f := newS3Fake(m)
	put := f.putBucketPolicy
	f.putBucketPolicy = func(in *s3.PutBucketPolicyInput) (*s3.PutBucketPolicyOutput, error) {
		if f.count("PutBucketPolicy") < 2 { // another write to the bucket is in progress
			return nil, s3APIErr("OperationAborted")
		}
		return put(in)
	}
	_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Create(context.Background(), s3Desired(s3Defaults()))
	require.NoError(t, err)
	assert.Equal(t, 2, f.count("PutBucketPolicy"))
	assert.Contains(t, m.policy, s3TLSSid)
}

// TestS3BucketCreateKeepsWhatItRead: Create writes the policy and encryption from what its
// read found, without reading them again, and keeps what the spec does not describe.
func TestS3BucketCreateKeepsWhatItRead(t *testing.T) {
	blocked := &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{"SSE-C"}}
	m := &s3Mem{exists: true, tags: s3TestOwner.Tags(),
		policy: `{"Version":"2012-10-17","Statement":[{"Sid":"reader","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::shop-archive-dev"}]}`,
		encryption: &types.ServerSideEncryptionRule{BlockedEncryptionTypes: blocked,
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms}}}
	f := newS3Fake(m)
	_, err := tk[spec.S3Bucket](newTestS3(f, "us-east-1")).Create(context.Background(), s3Desired(s3Defaults()))
	require.NoError(t, err)
	doc, err := s3ParsePolicy(m.policy)
	require.NoError(t, err)
	assert.True(t, doc.has("reader"), "the other statement stays")
	assert.True(t, doc.has(s3TLSSid))
	assert.Equal(t, types.ServerSideEncryptionAes256, m.encryption.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	assert.Equal(t, blocked, m.encryption.BlockedEncryptionTypes)
	assert.Equal(t, 2, f.count("GetBucketPolicy"), "read once before the writes, once by settle")
	assert.Equal(t, 2, f.count("GetBucketEncryption"), "read once before the writes, once by settle")
}
