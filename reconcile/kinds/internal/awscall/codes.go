package awscall

// AWS error codes the kinds act on, by name. A code shared by several services is listed once.
const (
	// throttling
	Throttling               = "Throttling"
	ThrottlingException      = "ThrottlingException"
	RequestThrottled         = "RequestThrottled"
	TooManyRequestsException = "TooManyRequestsException"

	// shared by several services
	AccessDeniedException          = "AccessDeniedException"
	BadRequestException            = "BadRequestException" // API Gateway
	ConflictException              = "ConflictException"
	InvalidParameterValueException = "InvalidParameterValueException"
	LimitExceededException         = "LimitExceededException"
	NotFoundException              = "NotFoundException" // API Gateway, every resource type
	ResourceConflictException      = "ResourceConflictException"
	ResourceInUseException         = "ResourceInUseException"
	ResourceNotFoundException      = "ResourceNotFoundException"
	ValidationException            = "ValidationException"

	// EC2
	DependencyViolation = "DependencyViolation"

	// IAM
	NoSuchEntity                    = "NoSuchEntity"
	ConcurrentModificationException = "ConcurrentModificationException"

	// CloudWatch Logs
	ResourceAlreadyExistsException = "ResourceAlreadyExistsException"
	OperationAbortedException      = "OperationAbortedException"

	// SSM
	ParameterAlreadyExists = "ParameterAlreadyExists"
	ParameterNotFound      = "ParameterNotFound"
	InvalidResourceID      = "InvalidResourceId" // ListTagsForResource of a parameter that is gone

	// DynamoDB
	TableNotFoundException                = "TableNotFoundException"
	ContinuousBackupsUnavailableException = "ContinuousBackupsUnavailableException"

	// S3
	NoSuchBucket                                   = "NoSuchBucket"
	S3NotFound                                     = "NotFound" // HeadBucket's bodiless 404
	AccessDenied                                   = "AccessDenied"
	UnauthorizedOperation                          = "UnauthorizedOperation"
	BucketAlreadyExists                            = "BucketAlreadyExists"
	BucketAlreadyOwnedByYou                        = "BucketAlreadyOwnedByYou"
	BucketNotEmpty                                 = "BucketNotEmpty"
	OperationAborted                               = "OperationAborted"
	NoSuchTagSet                                   = "NoSuchTagSet"
	NoSuchPublicAccessBlockConfiguration           = "NoSuchPublicAccessBlockConfiguration"
	NoSuchLifecycleConfiguration                   = "NoSuchLifecycleConfiguration"
	NoSuchBucketPolicy                             = "NoSuchBucketPolicy"
	ServerSideEncryptionConfigurationNotFoundError = "ServerSideEncryptionConfigurationNotFoundError"
)

// Throttling answered with a 503 status.
const (
	RequestLimitExceeded = "RequestLimitExceeded" // EC2
	SlowDown             = "SlowDown"             // S3
)
