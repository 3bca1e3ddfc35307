/// Renders the contract's field table as JSON Schema (draft 2020-12): the published,
/// machine-readable form of section 1 that `schemas/` holds.
public enum JSONSchemaRendering {
    public static let base = "https://healthledger.invalid/schemas/"
    static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// File name and content of every schema: the envelope, each event type, and `event`,
    /// which validates any line.
    public static var files: [(name: String, json: String)] {
        var files = [("envelope.schema.json", envelope), ("event.schema.json", event)]
        for type in EventType.allCases {
            files.append(("\(type.rawValue).schema.json", schema(of: EventSchema.of(type))))
        }
        return files.map { ($0.0, $0.1.prettyPrinted + "\n") }
    }

    static var envelope: JSONValue {
        objectSchema(id: "envelope.schema.json", title: "Event envelope",
                     description: "Fields every event has. Unknown extra fields are kept in the log and ignored by projections.",
                     rules: EventSchema.envelope)
    }

    static var event: JSONValue {
        let branches: [JSONValue] = EventType.allCases.map { type in
            object([
                ("if", object([("properties", object([("type", object([("const", .string(type.rawValue))]))]))])),
                ("then", object([("$ref", .string("\(type.rawValue).schema.json"))])),
            ])
        }
        return object([
            ("$schema", .string(dialect)),
            ("$id", .string(base + "event.schema.json")),
            ("title", .string("HealthLedger event")),
            ("description", .string("One NDJSON line of the event contract: the envelope and the fields of its type.")),
            ("allOf", .array([object([("$ref", .string("envelope.schema.json"))])] + branches)),
        ])
    }

    static func schema(of schema: EventSchema) -> JSONValue {
        objectSchema(id: "\(schema.type.rawValue).schema.json", title: schema.type.rawValue, description: schema.summary, rules: schema.fields)
    }

    private static func objectSchema(id: String, title: String, description: String, rules: [FieldRule]) -> JSONValue {
        object([
            ("$schema", .string(dialect)),
            ("$id", .string(base + id)),
            ("title", .string(title)),
            ("description", .string(description)),
            ("type", .string("object")),
            ("required", .array(rules.filter(\.isRequired).map { .string($0.name) })),
            ("properties", object(rules.map { ($0.name, property($0)) })),
        ])
    }

    /// A required field must not be null; an optional one may be (null reads as absent).
    private static func property(_ rule: FieldRule) -> JSONValue {
        let fragment = fragment(rule.kind, description: rule.summary)
        guard !rule.isRequired else { return fragment }
        return object([("anyOf", .array([object([("type", .string("null"))]), fragment]))])
    }

    private static func fragment(_ kind: FieldKind, description: String) -> JSONValue {
        var members: [(String, JSONValue)] = [("description", .string(description))]
        switch kind {
        case .string(let length):
            members.append(("type", .string("string")))
            if let length {
                members.append(("minLength", .integer(length.lowerBound)))
                members.append(("maxLength", .integer(length.upperBound)))
            }
        case .timestamp:
            members += [("type", .string("string")), ("format", .string("date-time"))]
        case .integer(let range):
            members += [("type", .string("integer")), ("minimum", .integer(range.lowerBound)), ("maximum", .integer(range.upperBound))]
        case .number(let minimum):
            members.append(("type", .string("number")))
            if let minimum { members.append(("minimum", .integer(Int(minimum)))) }
        case .boolean:
            members.append(("type", .string("boolean")))
        case .oneOf(let values):
            members += [("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))]
        case .timeZone:
            members += [("type", .string("string")), ("enum", .array(TimeZoneDatabase.identifiers.sorted().map(JSONValue.string)))]
        }
        return object(members)
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
    }

}

extension JSONValue {
    /// Two-space indented, members in their order; short arrays of scalars on one line.
    public var prettyPrinted: String {
        var output = ""
        write(into: &output, indent: "")
        return output
    }

    private func write(into output: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where elements.isEmpty: output += "[]"
        case .array(let elements) where elements.allSatisfy(\.isScalar) && elements.count <= 8:
            output += "[" + elements.map { String(decoding: $0.canonicalBytes, as: UTF8.self) }.joined(separator: ", ") + "]"
        case .array(let elements):
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += inner
                element.write(into: &output, indent: inner)
                output += index < elements.count - 1 ? ",\n" : "\n"
            }
            output += indent + "]"
        case .object(let object) where object.members.isEmpty: output += "{}"
        case .object(let object):
            output += "{\n"
            for (index, member) in object.members.enumerated() {
                output += inner + String(decoding: JSONValue.string(member.key).canonicalBytes, as: UTF8.self) + ": "
                member.value.write(into: &output, indent: inner)
                output += index < object.members.count - 1 ? ",\n" : "\n"
            }
            output += indent + "}"
        default:
            output += String(decoding: canonicalBytes, as: UTF8.self)
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}
