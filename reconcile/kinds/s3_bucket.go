package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// S3BucketAPI is the part of the S3 API the s3.bucket kind uses; *s3.Client satisfies it.
type S3BucketAPI interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, optFns ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, optFns ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	DeleteBucket(ctx context.Context, in *s3.DeleteBucketInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketOutput, error)
	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	PutBucketTagging(ctx context.Context, in *s3.PutBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(ctx context.Context, in *s3.PutBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	DeletePublicAccessBlock(ctx context.Context, in *s3.DeletePublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.DeletePublicAccessBlockOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
	DeleteBucketPolicy(ctx context.Context, in *s3.DeleteBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error)
	GetBucketLifecycleConfiguration(ctx context.Context, in *s3.GetBucketLifecycleConfigurationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error)
	PutBucketLifecycleConfiguration(ctx context.Context, in *s3.PutBucketLifecycleConfigurationInput, optFns ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error)
	DeleteBucketLifecycle(ctx context.Context, in *s3.DeleteBucketLifecycleInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, optFns ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// S3Bucket is the s3.bucket kind. Its ID and name are the bucket name. Nothing forces a
// replacement: every setting changes in place, and the name is the identity.
//
// Notes on how the spec's fields map to S3:
//   - versioning false on a bucket that has been versioned means Suspended: S3 cannot turn
//     versioning off once enabled. A never-versioned bucket stays unversioned.
//   - block_public_access is observed true only when all four settings are on; false
//     removes the bucket's public access block (the account's may still apply).
//   - deny_insecure_transport is one statement of the bucket policy, recognised by its Sid;
//     the policy's other statements are kept as they are.
//   - kms_key_arn and bucket_key only mean something with encryption aws:kms.
//   - lifecycle rules are the whole set, compared in ID order; a rule that is not Enabled is
//     observed as absent, so that apply enables it again.
//
// CreateBucket carries the tags (CreateBucketConfiguration.Tags). Endpoints that predate it
// ignore them, so Update-style tagging follows right away; a crash in between leaves an
// untagged, empty bucket that a rerun adopts (see claim).
type S3Bucket struct {
	api    S3BucketAPI
	region string
	wait   reconcile.Backoff
}

// NewS3Bucket returns the s3.bucket kind over an S3 client for region; List sees only that
// region's buckets.
func NewS3Bucket(api S3BucketAPI, region string) *S3Bucket {
	return &S3Bucket{api: api, region: region, wait: reconcile.DefaultBackoff}
}

// Kind implements reconcile.Kind.
func (k *S3Bucket) Kind() string { return "s3.bucket" }

// s3TLSSid names the bucket policy statement that denies requests without TLS.
const s3TLSSid = "provisioner-deny-insecure-transport"

// s3SettleBudget bounds how long Create and Update wait for S3's eventually consistent bucket
// configuration to read back as written.
const s3SettleBudget = 30 * time.Second

// s3Missing reports S3's answers for a bucket that does not exist (HeadBucket has no body,
// so its 404 comes back as NotFound).
func s3Missing(err error) bool { return awscall.Is(err, awscall.NoSuchBucket, awscall.S3NotFound) }

func s3NotFound(err error) error {
	if s3Missing(err) {
		return fmt.Errorf("%w: %w", reconcile.ErrNotFound, err)
	}
	return err
}

// do runs op; with fresh set it retries NoSuchBucket, which a bucket created seconds ago can
// answer to its own settings calls.
func (k *S3Bucket) do(ctx context.Context, fresh bool, op func(ctx context.Context) error) error {
	if !fresh {
		return op(ctx)
	}
	return awscall.Awhile(ctx, awscall.Within(k.wait, awscall.FreshBudget), "the new s3 bucket to answer its settings calls", s3Missing, op)
}

// ---- diff ----

// Diff implements reconcile.Kind. No field forces a replacement.
func (k *S3Bucket) Diff(d reconcile.Want[*spec.S3Bucket], live reconcile.Have[*spec.S3Bucket]) []reconcile.FieldDiff {
	want, have := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("versioning", have.Versioning, want.Versioning)
	ds.Field("encryption", have.Encryption, want.Encryption)
	if want.Encryption == string(types.ServerSideEncryptionAwsKms) {
		ds.Field("kms_key_arn", have.KMSKeyARN, want.KMSKeyARN)
		ds.Field("bucket_key", have.BucketKey, want.BucketKey)
	}
	ds.Field("block_public_access", have.BlockPublicAccess, want.BlockPublicAccess)
	ds.Field("deny_insecure_transport", have.DenyInsecureTransport, want.DenyInsecureTransport)
	haveRules, wantRules := s3SortedRules(have.Lifecycle), s3SortedRules(want.Lifecycle)
	if len(haveRules) != len(wantRules) {
		ds.Field("lifecycle", haveRules, wantRules)
	} else {
		for i := range wantRules {
			ds.Field(reconcile.Index("lifecycle", i), haveRules[i], wantRules[i])
		}
	}
	return ds
}

// s3SortedRules returns rules ordered by ID, each with its transitions ordered by days.
func s3SortedRules(rules []spec.LifecycleRule) []spec.LifecycleRule {
	out := make([]spec.LifecycleRule, len(rules))
	for i, r := range rules {
		r.Transitions = append([]spec.Transition(nil), r.Transitions...)
		sort.Slice(r.Transitions, func(a, b int) bool { return r.Transitions[a].Days < r.Transitions[b].Days })
		out[i] = r
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// ---- list and observe ----

// List implements reconcile.Kind: the buckets of the client's region, read tag by tag. A bucket
// without tags, or whose tags cannot be read (AccessDenied: a bucket policy of someone else's
// locks us out, so it was not made by us with these credentials), is skipped.
func (k *S3Bucket) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	names, err := k.bucketNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []state.Resource
	for _, name := range names {
		if !sel.MayName(name) {
			continue // not named the way we name buckets: its tags are not read
		}
		tags, err := ownedTags(ctx, k.Kind(), fmt.Sprintf("arn:%s:s3:::%s", partition(k.region), name),
			func(ctx context.Context) (map[string]string, error) { return k.tags(ctx, name, false) })
		if s3Missing(err) {
			continue
		}
		if awscall.Skippable(ctx, k.Kind(), name, err) {
			continue // not ours to read
		}
		if err != nil {
			return nil, fmt.Errorf("read tags of s3 bucket %s: %w", name, err)
		}
		if !sel.Matches(tags) {
			continue
		}
		props, err := k.observe(ctx, name, false)
		if errors.Is(err, reconcile.ErrNotFound) {
			continue // deleted since ListBuckets
		}
		if err != nil {
			return nil, err
		}
		out = append(out, k.resource(name, tags, props))
	}
	return out, nil
}

func (k *S3Bucket) bucketNames(ctx context.Context) ([]string, error) {
	var names []string
	p := s3.NewListBucketsPaginator(k.api, &s3.ListBucketsInput{BucketRegion: aws.String(k.region), MaxBuckets: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := awscall.Call(ctx, func(ctx context.Context) (*s3.ListBucketsOutput, error) { return p.NextPage(ctx) })
		if err != nil {
			return nil, fmt.Errorf("list s3 buckets: %w", err)
		}
		for _, b := range page.Buckets {
			// Endpoints that ignore the BucketRegion filter still say each bucket's region.
			if r := aws.ToString(b.BucketRegion); r != "" && r != k.region {
				continue
			}
			names = append(names, aws.ToString(b.Name))
		}
	}
	return names, nil
}

// tags returns the bucket's tags; a bucket without any (NoSuchTagSet) has an empty map.
func (k *S3Bucket) tags(ctx context.Context, name string, fresh bool) (map[string]string, error) {
	tags := map[string]string{}
	err := k.do(ctx, fresh, func(ctx context.Context) error {
		out, err := awscall.Get(ctx, k.api.GetBucketTagging, &s3.GetBucketTaggingInput{Bucket: &name})
		if err != nil {
			return err
		}
		for _, t := range out.TagSet {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		return nil
	})
	if awscall.Is(err, awscall.NoSuchTagSet) {
		return map[string]string{}, nil
	}
	return tags, err
}

func (k *S3Bucket) resource(name string, tags map[string]string, props *spec.S3Bucket) state.Resource {
	owner, _ := state.OwnerOf(tags)
	return state.Resource{
		Kind: k.Kind(), Owner: owner, ID: name, Name: name, Tags: tags, Props: props,
		Attrs: map[string]string{"arn": k.arn(name), "name": name, "domain_name": name + ".s3." + k.region + "." + dnsSuffix(k.region)},
	}
}

// arn is the bucket's ARN in the region's partition.
func (k *S3Bucket) arn(name string) string {
	return "arn:" + partition(k.region) + ":s3:::" + name
}

// observe reads every setting the spec describes. The reads are independent subresources of
// the bucket and each fills its own fields of p, so they run at once: the observe costs one
// round trip, not five. Each read keeps its own fresh retry; the error returned is that of the
// first read, in the order below, that failed.
func (k *S3Bucket) observe(ctx context.Context, name string, fresh bool) (*spec.S3Bucket, error) {
	p, _, err := k.observeSeen(ctx, name, fresh)
	return p, err
}

// s3Seen is what observe read of the two settings whose writes keep what the spec does not
// describe: the encryption rule (nil: none) and the bucket policy.
type s3Seen struct {
	rule   *types.ServerSideEncryptionRule
	policy *s3PolicyDoc
}

// observeSeen is observe, also returning the encryption rule and policy it read, so that a
// Create writing right after need not read them again.
func (k *S3Bucket) observeSeen(ctx context.Context, name string, fresh bool) (*spec.S3Bucket, *s3Seen, error) {
	p, seen := &spec.S3Bucket{}, &s3Seen{}
	steps := []struct {
		what string
		read func(ctx context.Context) error
	}{
		{"versioning", func(ctx context.Context) error { return k.readVersioning(ctx, name, p) }},
		{"encryption", func(ctx context.Context) error { return k.readEncryption(ctx, name, p, seen) }},
		{"public access block", func(ctx context.Context) error { return k.readPublicAccessBlock(ctx, name, p) }},
		{"policy", func(ctx context.Context) error { return k.readPolicy(ctx, name, p, seen) }},
		{"lifecycle", func(ctx context.Context) error { return k.readLifecycle(ctx, name, p) }},
	}
	i, err := awscall.AtOnce(ctx, len(steps), func(ctx context.Context, i int) error { return k.do(ctx, fresh, steps[i].read) })
	if err != nil {
		return nil, nil, fmt.Errorf("read %s of s3 bucket %s: %w", steps[i].what, name, s3NotFound(err))
	}
	return p, seen, nil
}

func (k *S3Bucket) readVersioning(ctx context.Context, name string, p *spec.S3Bucket) error {
	out, err := awscall.Get(ctx, k.api.GetBucketVersioning, &s3.GetBucketVersioningInput{Bucket: &name})
	if err != nil {
		return err
	}
	p.Versioning = out.Status == types.BucketVersioningStatusEnabled
	return nil
}

func (k *S3Bucket) readEncryption(ctx context.Context, name string, p *spec.S3Bucket, seen *s3Seen) error {
	rule, err := k.encryptionRule(ctx, name)
	seen.rule = rule
	if err != nil || rule == nil || rule.ApplyServerSideEncryptionByDefault == nil {
		return err
	}
	def := rule.ApplyServerSideEncryptionByDefault
	p.Encryption = string(def.SSEAlgorithm)
	if def.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		p.KMSKeyARN = aws.ToString(def.KMSMasterKeyID)
		p.BucketKey = aws.ToBool(rule.BucketKeyEnabled)
	}
	return nil
}

// encryptionRule returns the bucket's default encryption rule, or nil when it has none.
func (k *S3Bucket) encryptionRule(ctx context.Context, name string) (*types.ServerSideEncryptionRule, error) {
	out, err := awscall.Get(ctx, k.api.GetBucketEncryption, &s3.GetBucketEncryptionInput{Bucket: &name})
	if awscall.Is(err, awscall.ServerSideEncryptionConfigurationNotFoundError) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		return nil, nil
	}
	return &out.ServerSideEncryptionConfiguration.Rules[0], nil
}

func (k *S3Bucket) readPublicAccessBlock(ctx context.Context, name string, p *spec.S3Bucket) error {
	out, err := awscall.Get(ctx, k.api.GetPublicAccessBlock, &s3.GetPublicAccessBlockInput{Bucket: &name})
	if awscall.Is(err, awscall.NoSuchPublicAccessBlockConfiguration) {
		return nil
	}
	if err != nil {
		return err
	}
	c := out.PublicAccessBlockConfiguration
	p.BlockPublicAccess = c != nil && aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) &&
		aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets)
	return nil
}

func (k *S3Bucket) readPolicy(ctx context.Context, name string, p *spec.S3Bucket, seen *s3Seen) error {
	doc, err := k.policy(ctx, name)
	if err != nil {
		return err
	}
	seen.policy = doc
	p.DenyInsecureTransport = doc.has(s3TLSSid)
	return nil
}

func (k *S3Bucket) readLifecycle(ctx context.Context, name string, p *spec.S3Bucket) error {
	out, err := awscall.Get(ctx, k.api.GetBucketLifecycleConfiguration, &s3.GetBucketLifecycleConfigurationInput{Bucket: &name})
	if awscall.Is(err, awscall.NoSuchLifecycleConfiguration) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range out.Rules {
		if r.Status == types.ExpirationStatusEnabled {
			p.Lifecycle = append(p.Lifecycle, s3ObserveRule(r))
		}
	}
	p.Lifecycle = s3SortedRules(p.Lifecycle)
	return nil
}

func s3ObserveRule(r types.LifecycleRule) spec.LifecycleRule {
	out := spec.LifecycleRule{ID: aws.ToString(r.ID), Prefix: aws.ToString(r.Prefix)}
	if r.Filter != nil && r.Filter.Prefix != nil {
		out.Prefix = *r.Filter.Prefix
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, spec.Transition{Days: int(aws.ToInt32(t.Days)), StorageClass: string(t.StorageClass)})
	}
	if r.Expiration != nil {
		out.ExpirationDays = int(aws.ToInt32(r.Expiration.Days))
	}
	if r.NoncurrentVersionExpiration != nil {
		out.NoncurrentExpirationDays = int(aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays))
	}
	if r.AbortIncompleteMultipartUpload != nil {
		out.AbortIncompleteUploadDays = int(aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation))
	}
	return out
}

// ---- create ----

// Create implements reconcile.Kind. A bucket that already exists under the name is adopted
// when claim says it is ours, and refused untouched otherwise; bucket names are global, so a
// bucket of another account (BucketAlreadyExists) is refused too.
func (k *S3Bucket) Create(ctx context.Context, d reconcile.Want[*spec.S3Bucket]) (state.Resource, error) {
	existed, err := k.ensureBucket(ctx, d.Desired)
	if err != nil {
		return state.Resource{}, err
	}
	// The tags and the settings are read at once (both wait for the new bucket to answer),
	// but the claim is decided on the tags before any settings read error is returned: a
	// bucket that is not ours is refused as such even when its policy locks us out.
	tags, have, seen, err, observeErr := k.readFresh(ctx, d.Name)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create s3 bucket %s: read tags: %w", d.Name, err)
	}
	if existed {
		if err := k.claim(ctx, d.Desired, tags); err != nil {
			return state.Resource{}, err
		}
	}
	if observeErr != nil {
		return state.Resource{}, fmt.Errorf("create s3 bucket %s: %w", d.Name, observeErr)
	}
	live, changes, err := reconcile.Adopting(k, d, k.resource(d.Name, tags, have))
	if err != nil {
		return state.Resource{}, fmt.Errorf("create s3 bucket %s: %w", d.Name, err)
	}
	// The encryption rule and policy just read are the ones the writes keep the rest of.
	if err := k.apply(ctx, d, live.Tags, changes, true, seen); err != nil {
		return state.Resource{}, err
	}
	return k.settle(ctx, d)
}

// readFresh reads a new bucket's tags and its settings at once, each waiting for the bucket to
// answer, and returns both errors: the caller decides which counts first. A tags error stops
// the settings read, which is then not needed.
func (k *S3Bucket) readFresh(ctx context.Context, name string) (tags map[string]string, props *spec.S3Bucket, seen *s3Seen, tagsErr, observeErr error) {
	sub, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		props, seen, observeErr = k.observeSeen(sub, name, true)
	}()
	if tags, tagsErr = k.tags(ctx, name, true); tagsErr != nil {
		stop()
	}
	wg.Wait()
	return tags, props, seen, tagsErr, observeErr
}

// CreateCost implements reconcile.Costed: the rounds of calls of a create, one after
// another: HeadBucket, CreateBucket, the tags and settings read together, the tags written
// again (endpoints that ignore CreateBucket's tags; 5 rounds without it), the settings
// written together, and the read-back of settle.
func (*S3Bucket) CreateCost() int { return 6 }

// ensureBucket creates the bucket unless it exists, and says whether it existed. HeadBucket
// comes first because in us-east-1 CreateBucket on a bucket we own answers 200 (and resets
// its ACL), which would hide that the bucket was there before.
func (k *S3Bucket) ensureBucket(ctx context.Context, d reconcile.Desired) (existed bool, err error) {
	if _, err := awscall.Get(ctx, k.api.HeadBucket, &s3.HeadBucketInput{Bucket: &d.Name}); err == nil {
		return true, nil
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(d.Name), CreateBucketConfiguration: &types.CreateBucketConfiguration{Tags: awscall.TagList(d.Tags, s3Tag)}}
	if k.region != "us-east-1" {
		in.CreateBucketConfiguration.LocationConstraint = types.BucketLocationConstraint(k.region)
	}
	// OperationAborted: a bucket of that name is being created or deleted right now (e.g. a
	// destroy just before); S3 asks to try again.
	err = k.wait.Retry(ctx, func(err error) bool { return awscall.Is(err, awscall.OperationAborted) }, func(ctx context.Context) error {
		_, err := awscall.Get(ctx, k.api.CreateBucket, in)
		return err
	})
	switch {
	case err == nil:
		return false, nil
	case awscall.Is(err, awscall.BucketAlreadyOwnedByYou):
		return true, nil
	case awscall.Is(err, awscall.BucketAlreadyExists):
		return false, fmt.Errorf("create s3 bucket %s: the name is taken by another AWS account (bucket names are global): %w", d.Name, reconcile.ErrNotOwned)
	default:
		return false, fmt.Errorf("create s3 bucket %s: %w", d.Name, err)
	}
}

// claim decides whether an existing bucket of this account may be adopted: it may when it
// carries exactly d's ownership tags, or when it has no tags at all and holds no object. The
// second case is what a crash between CreateBucket and tagging leaves on an endpoint that
// ignores tags in CreateBucket, and adopting it loses nothing. Anything else is refused.
func (k *S3Bucket) claim(ctx context.Context, d reconcile.Desired, tags map[string]string) error {
	if d.Owner.Owns(tags) {
		return nil
	}
	if len(tags) > 0 {
		return fmt.Errorf("create s3 bucket %s: bucket %s %w (its tags: %v)", d.Name, d.Name, reconcile.ErrNotOwned, awscall.OwnerTags(tags))
	}
	empty, err := k.isEmpty(ctx, d.Name)
	if err != nil {
		return fmt.Errorf("create s3 bucket %s: %w", d.Name, err)
	}
	if !empty {
		return fmt.Errorf("create s3 bucket %s: bucket %s %w and holds objects", d.Name, d.Name, reconcile.ErrNotOwned)
	}
	return nil
}

func (k *S3Bucket) isEmpty(ctx context.Context, name string) (bool, error) {
	var out *s3.ListObjectVersionsOutput
	err := k.do(ctx, true, func(ctx context.Context) (err error) {
		out, err = awscall.Get(ctx, k.api.ListObjectVersions, &s3.ListObjectVersionsInput{Bucket: &name, MaxKeys: aws.Int32(1)})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("list object versions of s3 bucket %s: %w", name, err)
	}
	return len(out.Versions) == 0 && len(out.DeleteMarkers) == 0, nil
}

// s3Tag builds one of the service's tags, for awscall.TagList.
func s3Tag(key, value *string) types.Tag { return types.Tag{Key: key, Value: value} }

// settle reads the bucket back until it matches d: S3 bucket configuration is eventually
// consistent, so a read right after a write can return the old value. After s3SettleBudget
// it returns what it read; the next plan shows any real difference. Read errors are returned.
func (k *S3Bucket) settle(ctx context.Context, d reconcile.Want[*spec.S3Bucket]) (state.Resource, error) {
	var r state.Resource
	var readErr error
	b := k.wait
	b.Budget = min(b.Budget, s3SettleBudget)
	err := b.Until(ctx, func(ctx context.Context) (bool, error) {
		tags, props, _, err, observeErr := k.readFresh(ctx, d.Name)
		if err != nil {
			readErr = fmt.Errorf("read tags of s3 bucket %s: %w", d.Name, s3NotFound(err))
			return true, readErr
		}
		if observeErr != nil {
			readErr = observeErr
			return true, observeErr
		}
		r = k.resource(d.Name, tags, props)
		if len(k.Diff(d, reconcile.Have[*spec.S3Bucket]{Resource: r, Props: props})) > 0 || !reconcile.Equal(tags, d.Tags) {
			return false, errors.New("settings not visible yet")
		}
		return true, nil
	})
	switch {
	case readErr != nil:
		return state.Resource{}, readErr
	case ctx.Err() != nil:
		return state.Resource{}, fmt.Errorf("read s3 bucket %s back: %w", d.Name, err)
	}
	return r, nil
}

// ---- update ----

// Update implements reconcile.Kind.
func (k *S3Bucket) Update(ctx context.Context, d reconcile.Want[*spec.S3Bucket], live reconcile.Have[*spec.S3Bucket], changes reconcile.Changes) (state.Resource, error) {
	if err := k.apply(ctx, d, live.Tags, changes, false, nil); err != nil {
		return state.Resource{}, err
	}
	return k.settle(ctx, d)
}

// apply makes each setting that changes what d says, tags first and alone so that a bucket is
// ours as early as possible and nothing else is written to a bucket whose tagging failed. The
// settings are independent subresources and are written at once after it; none of our writes
// depends on another (our policy statement is a Deny, which a public access block never
// rejects). The tag set is written whole whenever it is not exactly d's.
func (k *S3Bucket) apply(ctx context.Context, d reconcile.Want[*spec.S3Bucket], haveTags map[string]string, changes reconcile.Changes, fresh bool, seen *s3Seen) error {
	want := d.Props
	name := d.Name
	steps := []struct {
		what    string
		changed bool
		write   func(ctx context.Context) error
	}{
		{"tags", !reconcile.Equal(haveTags, d.Tags), func(ctx context.Context) error { return k.putTags(ctx, name, d.Tags) }},
		{"versioning", changes.Changed("versioning"), func(ctx context.Context) error { return k.putVersioning(ctx, name, want.Versioning) }},
		{"encryption", changes.Changed("encryption", "kms_key_arn", "bucket_key"), func(ctx context.Context) error { return k.putEncryption(ctx, name, want, seen) }},
		{"public access block", changes.Changed("block_public_access"), func(ctx context.Context) error {
			return k.putPublicAccessBlock(ctx, name, want.BlockPublicAccess)
		}},
		{"policy", changes.Changed("deny_insecure_transport"), func(ctx context.Context) error {
			return k.putTLSPolicy(ctx, name, want.DenyInsecureTransport, seen)
		}},
		{"lifecycle", changes.Changed("lifecycle"), func(ctx context.Context) error {
			return k.putLifecycle(ctx, name, want.Lifecycle)
		}},
	}
	if tags := steps[0]; tags.changed {
		if err := k.do(ctx, fresh, tags.write); err != nil {
			return fmt.Errorf("update %s of s3 bucket %s: %w", tags.what, name, s3NotFound(err))
		}
	}
	var todo []int
	for i, s := range steps[1:] {
		if s.changed {
			todo = append(todo, i+1)
		}
	}
	// OperationAborted: S3 can refuse a settings write while another write to the same bucket
	// is in progress ("a conflicting conditional operation"), which writing at once makes
	// likely (a policy and a public access block, typically); it asks to try again.
	i, err := awscall.AtOnce(ctx, len(todo), func(ctx context.Context, i int) error {
		return k.do(ctx, fresh, func(ctx context.Context) error {
			return k.wait.Retry(ctx, func(err error) bool { return awscall.Is(err, awscall.OperationAborted) }, steps[todo[i]].write)
		})
	})
	if err != nil {
		return fmt.Errorf("update %s of s3 bucket %s: %w", steps[todo[i]].what, name, s3NotFound(err))
	}
	return nil
}

// putTags replaces the bucket's whole tag set with tags.
func (k *S3Bucket) putTags(ctx context.Context, name string, tags map[string]string) error {
	_, err := awscall.Get(ctx, k.api.PutBucketTagging, &s3.PutBucketTaggingInput{Bucket: &name, Tagging: &types.Tagging{TagSet: awscall.TagList(tags, s3Tag)}})
	return err
}

// putVersioning enables versioning, or suspends it: a bucket once versioned cannot go back.
func (k *S3Bucket) putVersioning(ctx context.Context, name string, on bool) error {
	status := types.BucketVersioningStatusSuspended
	if on {
		status = types.BucketVersioningStatusEnabled
	}
	_, err := awscall.Get(ctx, k.api.PutBucketVersioning, &s3.PutBucketVersioningInput{Bucket: &name,
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}})
	return err
}

// putEncryption sets the default encryption, keeping the rule's blocked encryption types
// (the SSE-C block), which the spec does not describe. The current rule is read first unless
// seen has it.
func (k *S3Bucket) putEncryption(ctx context.Context, name string, want *spec.S3Bucket, seen *s3Seen) error {
	var old *types.ServerSideEncryptionRule
	if seen != nil {
		old = seen.rule
	} else {
		var err error
		if old, err = k.encryptionRule(ctx, name); err != nil {
			return err
		}
	}
	rule := types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
		SSEAlgorithm: types.ServerSideEncryption(want.Encryption)}}
	if old != nil {
		rule.BlockedEncryptionTypes = old.BlockedEncryptionTypes
	}
	if want.Encryption == string(types.ServerSideEncryptionAwsKms) {
		if want.KMSKeyARN != "" {
			rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = aws.String(want.KMSKeyARN)
		}
		rule.BucketKeyEnabled = aws.Bool(want.BucketKey)
	}
	_, err := awscall.Get(ctx, k.api.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: &name,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}})
	return err
}

func (k *S3Bucket) putPublicAccessBlock(ctx context.Context, name string, on bool) error {
	if !on {
		_, err := awscall.Get(ctx, k.api.DeletePublicAccessBlock, &s3.DeletePublicAccessBlockInput{Bucket: &name})
		return err
	}
	_, err := awscall.Get(ctx, k.api.PutPublicAccessBlock, &s3.PutPublicAccessBlockInput{Bucket: &name,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	return err
}

func (k *S3Bucket) putLifecycle(ctx context.Context, name string, rules []spec.LifecycleRule) error {
	if len(rules) == 0 {
		_, err := awscall.Get(ctx, k.api.DeleteBucketLifecycle, &s3.DeleteBucketLifecycleInput{Bucket: &name})
		return err
	}
	cfg := &types.BucketLifecycleConfiguration{}
	for _, r := range s3SortedRules(rules) {
		cfg.Rules = append(cfg.Rules, s3LifecycleRule(r))
	}
	_, err := awscall.Get(ctx, k.api.PutBucketLifecycleConfiguration, &s3.PutBucketLifecycleConfigurationInput{Bucket: &name, LifecycleConfiguration: cfg})
	return err
}

func s3LifecycleRule(r spec.LifecycleRule) types.LifecycleRule {
	out := types.LifecycleRule{ID: aws.String(r.ID), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String(r.Prefix)}}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, types.Transition{Days: aws.Int32(int32(t.Days)), StorageClass: types.TransitionStorageClass(t.StorageClass)})
	}
	if r.ExpirationDays > 0 {
		out.Expiration = &types.LifecycleExpiration{Days: aws.Int32(int32(r.ExpirationDays))}
	}
	if r.NoncurrentExpirationDays > 0 {
		out.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(int32(r.NoncurrentExpirationDays))}
	}
	if r.AbortIncompleteUploadDays > 0 {
		out.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(int32(r.AbortIncompleteUploadDays))}
	}
	return out
}

// ---- delete ----

// Delete implements reconcile.Kind. It re-reads the bucket's tags and refuses a bucket that is
// not live's owner's, then removes every object version and delete marker (a versioned bucket
// cannot be deleted before), deletes the bucket and waits until it is gone.
func (k *S3Bucket) Delete(ctx context.Context, live state.Resource) error {
	name := live.ID
	tags, err := k.tags(ctx, name, false)
	if s3Missing(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete s3 bucket %s: read tags: %w", name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete s3 bucket %s: %w (its tags: %v)", name, reconcile.ErrNotOwned, awscall.OwnerTags(tags))
	}
	// BucketNotEmpty: something wrote to the bucket while it was being emptied; empty again.
	err = k.wait.Retry(ctx, func(err error) bool { return awscall.Is(err, awscall.BucketNotEmpty, awscall.OperationAborted) },
		func(ctx context.Context) error {
			if err := k.empty(ctx, name); err != nil {
				return err
			}
			_, err := awscall.Get(ctx, k.api.DeleteBucket, &s3.DeleteBucketInput{Bucket: &name})
			return err
		})
	if err != nil && !s3Missing(err) {
		return fmt.Errorf("delete s3 bucket %s: %w", name, err)
	}
	return k.waitGone(ctx, name)
}

// empty deletes object versions and delete markers a page at a time (DeleteObjects takes up
// to 1000 keys, ListObjectVersions returns up to 1000), listing from the start again after
// each batch, until a listing comes back empty.
func (k *S3Bucket) empty(ctx context.Context, name string) error {
	for {
		out, err := awscall.Get(ctx, k.api.ListObjectVersions, &s3.ListObjectVersionsInput{Bucket: &name, MaxKeys: aws.Int32(1000)})
		if s3Missing(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list object versions of s3 bucket %s: %w", name, err)
		}
		ids := s3VersionIDs(out)
		if len(ids) == 0 {
			return nil
		}
		for start := 0; start < len(ids); start += 1000 {
			if err := k.deleteBatch(ctx, name, ids[start:min(start+1000, len(ids))]); err != nil {
				return err
			}
		}
	}
}

func s3VersionIDs(out *s3.ListObjectVersionsOutput) []types.ObjectIdentifier {
	var ids []types.ObjectIdentifier
	for _, v := range out.Versions {
		ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
	}
	for _, m := range out.DeleteMarkers {
		ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
	}
	return ids
}

func (k *S3Bucket) deleteBatch(ctx context.Context, name string, ids []types.ObjectIdentifier) error {
	out, err := awscall.Get(ctx, k.api.DeleteObjects, &s3.DeleteObjectsInput{Bucket: &name, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err != nil {
		return fmt.Errorf("delete objects of s3 bucket %s: %w", name, err)
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return fmt.Errorf("delete objects of s3 bucket %s: %d failed, first %s (version %s): %s: %s", name, len(out.Errors),
			aws.ToString(e.Key), aws.ToString(e.VersionId), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	return nil
}

func (k *S3Bucket) waitGone(ctx context.Context, name string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		_, err := awscall.Get(ctx, k.api.HeadBucket, &s3.HeadBucketInput{Bucket: &name})
		if s3Missing(err) {
			return true, nil
		}
		if err != nil {
			return true, err
		}
		return false, errors.New("bucket still answers")
	})
	if err != nil {
		return fmt.Errorf("wait for s3 bucket %s to be deleted: %w", name, err)
	}
	return nil
}

// ---- the TLS-only bucket policy ----

// s3PolicyDoc is a bucket policy read generically, so that statements the spec does not
// describe survive our edits.
type s3PolicyDoc struct {
	doc        map[string]any // nil when the bucket has no policy
	statements []any
}

func (k *S3Bucket) policy(ctx context.Context, name string) (*s3PolicyDoc, error) {
	out, err := awscall.Get(ctx, k.api.GetBucketPolicy, &s3.GetBucketPolicyInput{Bucket: &name})
	if awscall.Is(err, awscall.NoSuchBucketPolicy) {
		return &s3PolicyDoc{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s3ParsePolicy(aws.ToString(out.Policy))
}

func s3ParsePolicy(text string) (*s3PolicyDoc, error) {
	if strings.TrimSpace(text) == "" {
		return &s3PolicyDoc{}, nil
	}
	p := &s3PolicyDoc{}
	if err := json.Unmarshal([]byte(text), &p.doc); err != nil {
		return nil, fmt.Errorf("parse bucket policy: %w", err)
	}
	switch v := p.doc["Statement"].(type) {
	case []any:
		p.statements = v
	case map[string]any: // a single statement may be written without a list
		p.statements = []any{v}
	case nil:
	default:
		return nil, fmt.Errorf("parse bucket policy: Statement is %T", v)
	}
	return p, nil
}

func (p *s3PolicyDoc) has(sid string) bool {
	for _, s := range p.statements {
		if m, ok := s.(map[string]any); ok && m["Sid"] == sid {
			return true
		}
	}
	return false
}

// with returns the policy text with the statement sid removed, then stmt added unless nil;
// "" when no statement is left.
func (p *s3PolicyDoc) with(sid string, stmt map[string]any) (string, error) {
	var keep []any
	for _, s := range p.statements {
		if m, ok := s.(map[string]any); !ok || m["Sid"] != sid {
			keep = append(keep, s)
		}
	}
	if stmt != nil {
		keep = append(keep, stmt)
	}
	if len(keep) == 0 {
		return "", nil
	}
	doc := map[string]any{"Version": "2012-10-17"}
	for key, v := range p.doc {
		doc[key] = v
	}
	doc["Statement"] = keep
	b, err := json.Marshal(doc)
	return string(b), err
}

// s3TLSStatement denies every request to the bucket and its objects made without TLS.
func s3TLSStatement(bucketARN string) map[string]any {
	return map[string]any{
		"Sid":       s3TLSSid,
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []string{bucketARN, bucketARN + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
}

// putTLSPolicy adds or removes our statement, keeping the others; a policy left empty is
// deleted, since S3 rejects a policy without statements. The current policy is read first
// unless seen has it.
func (k *S3Bucket) putTLSPolicy(ctx context.Context, name string, on bool, seen *s3Seen) error {
	var doc *s3PolicyDoc
	if seen != nil {
		doc = seen.policy
	} else {
		var err error
		if doc, err = k.policy(ctx, name); err != nil {
			return err
		}
	}
	var stmt map[string]any
	if on {
		stmt = s3TLSStatement(k.arn(name))
	}
	text, err := doc.with(s3TLSSid, stmt)
	if err != nil {
		return err
	}
	if text == "" {
		if doc.doc == nil {
			return nil
		}
		_, err = awscall.Get(ctx, k.api.DeleteBucketPolicy, &s3.DeleteBucketPolicyInput{Bucket: &name})
		return err
	}
	_, err = awscall.Get(ctx, k.api.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: &name, Policy: &text})
	return err
}
