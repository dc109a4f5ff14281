package layout

// Provinces returns the province-level divisions as regions.txt names them
// (湖北省, 内蒙古自治区), in its order: the one list of them, which
// crosscheck reads cluster names against too.
func Provinces() []string {
	out := make([]string, len(provinces))
	for i, p := range provinces {
		out[i] = p.name
	}
	return out
}
