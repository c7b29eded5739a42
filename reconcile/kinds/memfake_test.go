package kinds

// Machinery the in-memory fakes share. Each kind's fake still implements only that kind's
// narrow SDK interface (one function field per call); what repeats across services, the tag
// store of a resource the fake keeps, lives here once.

// memTags is a fake's tag store: tagsOf finds the tag map of the resource a call names (and
// fails as the service would when there is none). Its methods build the service's three tag
// calls from how that service spells them.
type memTags func(id *string) (map[string]string, error)

// memListTags serves a list-tags call: out wraps a copy of the tags.
func memListTags[In, Out any](s memTags, id func(In) *string, out func(tags map[string]string) Out) func(In) (Out, error) {
	return func(in In) (Out, error) {
		tags, err := s(id(in))
		if err != nil {
			var zero Out
			return zero, err
		}
		cp := make(map[string]string, len(tags))
		for k, v := range tags {
			cp[k] = v
		}
		return out(cp), nil
	}
}

// memTag serves a tag call: set says which resource and which tags it sets.
func memTag[In, Out any](s memTags, set func(In) (*string, map[string]string), out Out) func(In) (Out, error) {
	return func(in In) (Out, error) {
		id, add := set(in)
		tags, err := s(id)
		if err != nil {
			var zero Out
			return zero, err
		}
		for k, v := range add {
			tags[k] = v
		}
		return out, nil
	}
}

// memUntag serves an untag call: keys says which resource and which keys it removes.
func memUntag[In, Out any](s memTags, keys func(In) (*string, []string), out Out) func(In) (Out, error) {
	return func(in In) (Out, error) {
		id, remove := keys(in)
		tags, err := s(id)
		if err != nil {
			var zero Out
			return zero, err
		}
		for _, k := range remove {
			delete(tags, k)
		}
		return out, nil
	}
}

// memTagsOf is the tag store of the resources get finds, whose tags tagsOf returns.
func memTagsOf[R any](get func(id *string) (R, error), tagsOf func(R) map[string]string) memTags {
	return func(id *string) (map[string]string, error) {
		r, err := get(id)
		if err != nil {
			return nil, err
		}
		return tagsOf(r), nil
	}
}
