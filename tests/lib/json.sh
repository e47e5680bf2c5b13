# tests/lib/json.sh - read a field of a JSON file in tests (source me).
#   jget FILE EXPR    print the Python expression EXPR evaluated with the
#                     document bound to `d`, e.g. jget s.json 'd["cp15"]["VBAR_S"]'
jget() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if not isinstance(v,str) else v)' "$1" "$2"
}
