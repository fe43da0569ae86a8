import Configuration
import Foundation

/// Where Goosey's settings come from: the environment first, then `goosey.toml`.
///
/// Keys are dotted paths (`http.port`); the environment spells them in capitals with underscores
/// (`HTTP_PORT`, `UPSTREAM_URL`), so any setting can be overridden without editing the file.
public enum GooseyConfigFile {
    public static let defaultPath = "goosey.toml"

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String)
        case invalid(path: String, TOMLSubset.ParseError)
        case unsupportedValue(path: String, key: String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read the configuration file \(path)"
            case .invalid(let path, let error): "\(path): \(error)"
            case .unsupportedValue(let path, let key): "\(path): `\(key)` mixes types in one array"
            }
        }
    }

    /// Builds a reader over the environment and, if it exists, the file at `path`.
    /// - Parameters:
    ///   - path: the TOML file; a missing file is fine when `required` is false (defaults apply).
    ///   - environment: the variables that override the file (the process's own by default).
    public static func reader(
        path: String = defaultPath,
        required: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ConfigReader {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if let text = try self.read(path: path, required: required) {
            providers.append(InMemoryProvider(name: path, values: try self.values(from: text, path: path)))
        }
        return ConfigReader(providers: providers)
    }

    static func read(path: String, required: Bool) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw LoadError.unreadable(path: path) }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError.unreadable(path: path) }
        return String(decoding: data, as: UTF8.self)
    }

    static func values(from text: String, path: String) throws -> [AbsoluteConfigKey: ConfigValue] {
        let parsed: [String: TOMLSubset.Value]
        do { parsed = try TOMLSubset.parse(text) } catch let error as TOMLSubset.ParseError {
            throw LoadError.invalid(path: path, error)
        }
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in parsed {
            guard let content = self.content(of: value) else { throw LoadError.unsupportedValue(path: path, key: key) }
            values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(content, isSecret: false)
        }
        return values
    }

    static func content(of value: TOMLSubset.Value) -> ConfigContent? {
        switch value {
        case .string(let string): return .string(string)
        case .integer(let integer): return .int(integer)
        case .float(let float): return .double(float)
        case .boolean(let bool): return .bool(bool)
        case .array(let elements):
            let strings = elements.compactMap { if case .string(let s) = $0 { s } else { nil } }
            if strings.count == elements.count { return .stringArray(strings) }
            let integers = elements.compactMap { if case .integer(let i) = $0 { i } else { nil } }
            if integers.count == elements.count { return .intArray(integers) }
            return nil
        }
    }
}
