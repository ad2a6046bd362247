// bake-eval evaluates a docker-bake.hcl file the way `docker buildx bake --print` reads it,
// without a Docker engine: HCL v2 (the library buildx uses) parses and evaluates every
// expression against the file's own variables and the function names bake provides, and the
// checks that bake makes after decoding are repeated (arguments a target or group accepts,
// group members, inherits). A target block written twice is reported too: bake would merge the
// two silently, which for a generated file means an edit inserted it twice.
//
// Usage: bake-eval FILE  — prints {"errors": [...], "targets": [...], "groups": {...}} as JSON.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

type finding struct {
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Message string `json:"message"`
	Line    int    `json:"line"`
}

type result struct {
	Errors    []finding           `json:"errors"`
	Targets   []string            `json:"targets"`
	Groups    map[string][]string `json:"groups"`
	Variables []string            `json:"variables"`
}

var targetArguments = set("name", "description", "inherits", "annotations", "attest", "context", "contexts",
	"dockerfile", "dockerfile-inline", "args", "labels", "tags", "cache-from", "cache-to", "target",
	"secret", "ssh", "platforms", "output", "pull", "no-cache", "network", "no-cache-filter", "shm-size",
	"ulimits", "call", "entitlements", "extra-hosts", "matrix")
var groupArguments = set("targets", "description")
var variableArguments = set("default", "description", "type")
var functionArguments = set("params", "variadic_params", "result")

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// The cty standard library functions bake exposes under these names.
var stdlibByName = map[string]function.Function{
	"absolute": stdlib.AbsoluteFunc, "add": stdlib.AddFunc, "and": stdlib.AndFunc,
	"byteslen": stdlib.BytesLenFunc, "bytesslice": stdlib.BytesSliceFunc, "ceil": stdlib.CeilFunc,
	"chomp": stdlib.ChompFunc, "chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc,
	"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc,
	"contains": stdlib.ContainsFunc, "csvdecode": stdlib.CSVDecodeFunc, "distinct": stdlib.DistinctFunc,
	"divide": stdlib.DivideFunc, "element": stdlib.ElementFunc, "equal": stdlib.EqualFunc,
	"flatten": stdlib.FlattenFunc, "floor": stdlib.FloorFunc, "format": stdlib.FormatFunc,
	"formatdate": stdlib.FormatDateFunc, "formatlist": stdlib.FormatListFunc,
	"greaterthan": stdlib.GreaterThanFunc, "greaterthanorequalto": stdlib.GreaterThanOrEqualToFunc,
	"hasindex": stdlib.HasIndexFunc, "indent": stdlib.IndentFunc, "index": stdlib.IndexFunc,
	"int": stdlib.IntFunc, "join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc,
	"jsonencode": stdlib.JSONEncodeFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc,
	"lessthan": stdlib.LessThanFunc, "lessthanorequalto": stdlib.LessThanOrEqualToFunc,
	"log": stdlib.LogFunc, "lookup": stdlib.LookupFunc, "lower": stdlib.LowerFunc, "max": stdlib.MaxFunc,
	"merge": stdlib.MergeFunc, "min": stdlib.MinFunc, "modulo": stdlib.ModuloFunc,
	"multiply": stdlib.MultiplyFunc, "negate": stdlib.NegateFunc, "not": stdlib.NotFunc,
	"notequal": stdlib.NotEqualFunc, "or": stdlib.OrFunc, "parseint": stdlib.ParseIntFunc,
	"pow": stdlib.PowFunc, "range": stdlib.RangeFunc, "regex_replace": stdlib.RegexReplaceFunc,
	"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "replace": stdlib.ReplaceFunc,
	"reverse": stdlib.ReverseFunc, "reverselist": stdlib.ReverseListFunc,
	"sethaselement": stdlib.SetHasElementFunc, "setintersection": stdlib.SetIntersectionFunc,
	"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
	"setsymmetricdifference": stdlib.SetSymmetricDifferenceFunc, "setunion": stdlib.SetUnionFunc,
	"signum": stdlib.SignumFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
	"split": stdlib.SplitFunc, "strlen": stdlib.StrlenFunc, "substr": stdlib.SubstrFunc,
	"subtract": stdlib.SubtractFunc, "timeadd": stdlib.TimeAddFunc, "title": stdlib.TitleFunc,
	"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc,
	"trimsuffix": stdlib.TrimSuffixFunc, "upper": stdlib.UpperFunc, "values": stdlib.ValuesFunc,
	"zipmap": stdlib.ZipmapFunc,
	"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
}

// Functions bake provides from other libraries; their name is what a file can get wrong, so
// they are declared with any arguments and an unknown result.
var otherBakeFunctions = []string{"base64decode", "base64encode", "basename", "bcrypt", "cidrhost",
	"cidrnetmask", "cidrsubnet", "cidrsubnets", "convert", "dirname", "homedir", "indexof", "md5",
	"rsadecrypt", "sanitize", "sha1", "sha256", "sha512", "timestamp", "urlencode", "uuidv4", "uuidv5"}

func anyArguments() function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			return cty.DynamicVal, nil
		},
	})
}

type evaluator struct {
	res       *result
	variables map[string]hcl.Expression // nil expression: a variable without default
	values    map[string]cty.Value
	resolving map[string]bool
	ctx       *hcl.EvalContext
}

func (e *evaluator) add(kind, key, message string, rng hcl.Range) {
	e.res.Errors = append(e.res.Errors, finding{Kind: kind, Key: kind + ":" + key, Message: message, Line: rng.Start.Line})
}

func (e *evaluator) addDiags(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		e.res.Errors = append(e.res.Errors, finding{Kind: "eval", Key: "eval:" + d.Summary + ": " + d.Detail, Message: d.Summary + ": " + d.Detail, Line: line})
	}
}

// resolve gives a variable its value: the environment's when set (bake reads variables from
// it), else its default evaluated against the other variables.
func (e *evaluator) resolve(name string, at hcl.Range) {
	if _, done := e.values[name]; done {
		return
	}
	expr, declared := e.variables[name]
	if !declared {
		return // hcl reports the unknown variable where it is used
	}
	if e.resolving[name] {
		e.add("variable-cycle", name, fmt.Sprintf("variable %s refers to itself", name), at)
		e.values[name] = cty.DynamicVal
		return
	}
	if env, ok := os.LookupEnv(name); ok {
		e.values[name] = cty.StringVal(env)
		return
	}
	if expr == nil {
		e.values[name] = cty.StringVal("")
		return
	}
	e.resolving[name] = true
	for _, ref := range expr.Variables() {
		e.resolve(ref.RootName(), ref.SourceRange())
	}
	e.ctx.Variables = e.values
	v, diags := expr.Value(e.ctx)
	e.addDiags(diags)
	delete(e.resolving, name)
	if diags.HasErrors() {
		v = cty.DynamicVal
	}
	e.values[name] = v
}

func (e *evaluator) eval(expr hcl.Expression, ctx *hcl.EvalContext) cty.Value {
	for _, ref := range expr.Variables() {
		e.resolve(ref.RootName(), ref.SourceRange())
	}
	v, diags := expr.Value(ctx)
	e.addDiags(diags)
	return v
}

func strings(v cty.Value) ([]string, bool) {
	if !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType()) {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.Type() != cty.String {
			return nil, false
		}
		out = append(out, el.AsString())
	}
	return out, true
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bake-eval FILE")
		os.Exit(2)
	}
	file := os.Args[1]
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	res := &result{Errors: []finding{}, Targets: []string{}, Groups: map[string][]string{}, Variables: []string{}}
	e := &evaluator{res: res, variables: map[string]hcl.Expression{}, values: map[string]cty.Value{}, resolving: map[string]bool{}}
	parsed, diags := hclsyntax.ParseConfig(src, file, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		for _, d := range diags {
			line := 0
			if d.Subject != nil {
				line = d.Subject.Start.Line
			}
			res.Errors = append(res.Errors, finding{Kind: "syntax", Key: "syntax:" + d.Summary, Message: d.Summary + ": " + d.Detail, Line: line})
		}
		print(res)
		return
	}
	body := parsed.Body.(*hclsyntax.Body)

	functions := map[string]function.Function{}
	for name, fn := range stdlibByName {
		functions[name] = fn
	}
	for _, name := range otherBakeFunctions {
		functions[name] = anyArguments()
	}
	// Global attributes are variables too.
	for name, attr := range body.Attributes {
		e.variables[name] = attr.Expr
	}
	targetLines := map[string][]int{}
	var targetOrder []string
	groupNames := map[string]bool{}
	for _, block := range body.Blocks {
		if len(block.Labels) != 1 {
			e.add("block-label", block.Type, fmt.Sprintf("%s block needs exactly one label", block.Type), block.TypeRange)
			continue
		}
		label := block.Labels[0]
		switch block.Type {
		case "variable":
			if _, twice := e.variables[label]; twice {
				e.add("duplicate-variable", label, fmt.Sprintf("variable %s is declared twice", label), block.TypeRange)
			}
			if def, ok := block.Body.Attributes["default"]; ok {
				e.variables[label] = def.Expr
			} else {
				e.variables[label] = nil
			}
		case "function":
			functions[label] = anyArguments()
		case "target":
			if _, seen := targetLines[label]; !seen {
				targetOrder = append(targetOrder, label)
			}
			targetLines[label] = append(targetLines[label], block.TypeRange.Start.Line)
		case "group":
			groupNames[label] = true
		default:
			e.add("block-type", block.Type, fmt.Sprintf("unsupported block type %q", block.Type), block.TypeRange)
		}
	}
	for name := range e.variables {
		res.Variables = append(res.Variables, name)
	}
	sort.Strings(res.Variables)
	targetRefs := map[string]cty.Value{}
	for _, name := range targetOrder {
		targetRefs[name] = cty.DynamicVal
	}
	e.values["target"] = cty.ObjectVal(targetRefs)
	e.ctx = &hcl.EvalContext{Variables: e.values, Functions: functions}

	for name := range e.variables {
		e.resolve(name, hcl.Range{})
	}
	e.ctx.Variables = e.values

	inherits := map[string][]string{}
	for _, block := range body.Blocks {
		if len(block.Labels) != 1 {
			continue
		}
		label := block.Labels[0]
		var allowed map[string]bool
		switch block.Type {
		case "target":
			allowed = targetArguments
		case "group":
			allowed = groupArguments
		case "variable":
			allowed = variableArguments
		case "function":
			allowed = functionArguments
		default:
			continue
		}
		for _, inner := range block.Body.Blocks {
			if block.Type == "variable" && inner.Type == "validation" {
				continue
			}
			e.add("unsupported-block", block.Type+"."+inner.Type, fmt.Sprintf("%s %q: blocks of type %q are not expected here", block.Type, label, inner.Type), inner.TypeRange)
		}
		for name, attr := range block.Body.Attributes {
			if !allowed[name] {
				e.add("unsupported-argument", block.Type+"."+name, fmt.Sprintf("%s %q: an argument named %q is not expected here", block.Type, label, name), attr.NameRange)
			}
		}
		if block.Type == "variable" || block.Type == "function" {
			continue
		}
		ctx := e.ctx
		if matrix, ok := block.Body.Attributes["matrix"]; ok {
			ctx = e.ctx.NewChild()
			ctx.Variables = map[string]cty.Value{}
			value := e.eval(matrix.Expr, e.ctx)
			if value.IsWhollyKnown() && (value.Type().IsObjectType() || value.Type().IsMapType()) {
				for key := range value.AsValueMap() {
					ctx.Variables[key] = cty.DynamicVal
				}
			}
		}
		names := make([]string, 0, len(block.Body.Attributes))
		for name := range block.Body.Attributes {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			attr := block.Body.Attributes[name]
			if name == "matrix" {
				continue
			}
			value := e.eval(attr.Expr, ctx)
			if block.Type == "group" && name == "targets" {
				members, ok := strings(value)
				if !ok {
					continue
				}
				res.Groups[label] = append(res.Groups[label], members...)
				for _, member := range members {
					if _, isTarget := targetLines[member]; !isTarget && !groupNames[member] {
						e.add("group-member", label+"/"+member, fmt.Sprintf("group %q names %q, which is no target or group of this file", label, member), attr.Expr.Range())
					}
				}
			}
			if block.Type == "target" && name == "inherits" {
				parents, ok := strings(value)
				if !ok {
					continue
				}
				inherits[label] = append(inherits[label], parents...)
				for _, parent := range parents {
					if _, isTarget := targetLines[parent]; !isTarget {
						e.add("inherits", label+"/"+parent, fmt.Sprintf("target %q inherits %q, which is no target of this file", label, parent), attr.Expr.Range())
					}
				}
			}
		}
	}
	for _, name := range targetOrder {
		if lines := targetLines[name]; len(lines) > 1 {
			e.add("duplicate-target", name, fmt.Sprintf("target %q is defined %d times (lines %v)", name, len(lines), lines), hcl.Range{Start: hcl.Pos{Line: lines[1]}})
		}
	}
	for _, start := range targetOrder {
		seen := map[string]bool{}
		var walk func(string) bool
		walk = func(name string) bool {
			if name == start && len(seen) > 0 {
				return true
			}
			if seen[name] {
				return false
			}
			seen[name] = true
			for _, parent := range inherits[name] {
				if walk(parent) {
					return true
				}
			}
			return false
		}
		if walk(start) {
			e.add("inherits-cycle", start, fmt.Sprintf("target %q inherits itself", start), hcl.Range{Start: hcl.Pos{Line: targetLines[start][0]}})
		}
	}
	res.Targets = targetOrder
	if res.Targets == nil {
		res.Targets = []string{}
	}
	print(res)
}

func print(res *result) {
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))
}
