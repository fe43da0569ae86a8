import Configuration
import Foundation
import Testing

@testable import Shared

@Suite struct TOMLSubsetTests {
    @Test func tablesFlattenToDottedKeys() throws {
        let values = try TOMLSubset.parse(
            """
            # Goosey
            [http]
            host = "0.0.0.0"   # every interface
            port = 8_080

            [upstream.limits]
            ratio = 1.5
            enabled = true
            keys = ["a", "b\\"c"]
            """
        )
        #expect(values["http.host"] == .string("0.0.0.0"))
        #expect(values["http.port"] == .integer(8080))
        #expect(values["upstream.limits.ratio"] == .float(1.5))
        #expect(values["upstream.limits.enabled"] == .boolean(true))
        #expect(values["upstream.limits.keys"] == .array([.string("a"), .string("b\"c")]))
    }

    @Test(arguments: [
        ("[http\nport = 1", 1),
        ("a = 1\nb = unquoted", 2),
        ("a = 1\na = 2", 2),
        ("[x]\ny = \"open", 2),
        ("a = 1 2", 1),
    ])
    func errorsNameTheOffendingLine(text: String, line: Int) {
        #expect(throws: TOMLSubset.ParseError.self) { try TOMLSubset.parse(text) }
        do {
            _ = try TOMLSubset.parse(text)
        } catch let error as TOMLSubset.ParseError {
            #expect(error.line == line)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func environmentOverridesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("goosey-\(UInt64.random(in: 0...UInt64.max)).toml").path
        try "[http]\nport = 9000\nhost = \"10.0.0.1\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try GooseyConfigFile.reader(path: path, required: true, environment: ["HTTP_PORT": "7000"])
        #expect(reader.int(forKey: "http.port") == 7000)
        #expect(reader.string(forKey: "http.host") == "10.0.0.1")
    }

    @Test func aRequiredMissingFileIsAnError() {
        #expect(throws: GooseyConfigFile.LoadError.self) {
            try GooseyConfigFile.reader(path: "/nonexistent/goosey.toml", required: true, environment: [:])
        }
    }
}
