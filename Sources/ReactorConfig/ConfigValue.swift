/// A configuration value before it is stored in a typed field.
enum ConfigValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case strings([String])

    /// The value written as TOML.
    var toml: String {
        switch self {
        case .string(let string): Self.tomlString(string)
        case .int(let int): String(int)
        case .double(let double):
            double.rounded() == double && abs(double) < 1e15 ? "\(Int(double)).0" : "\(double)"
        case .bool(let bool): bool ? "true" : "false"
        case .strings(let strings): "[" + strings.map(Self.tomlString).joined(separator: ", ") + "]"
        }
    }

    /// A TOML basic string.
    static func tomlString(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
