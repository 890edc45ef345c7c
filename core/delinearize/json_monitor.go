package delinearize

// Get returns the value of key k and whether o has it.
func (o *JSONObject) Get(k string) (any, bool) {
	for i, x := range o.keys {
		if x == k {
			return o.vals[i], true
		}
	}
	return nil, false
}
