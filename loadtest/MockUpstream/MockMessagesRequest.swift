import Foundation
import NIOCore

/// The parts of a Messages request body the mock reads (anthropic-wire.md §1.3).
///
/// Every other field is skipped; block shapes the mock does not understand are tolerated, as the
/// real API's are open sets.
struct MockMessagesRequest: Decodable, Sendable {
    var model: String?
    var maxTokens: Int?
    var messages: Conversation?
    var stream: Bool?

    enum CodingKeys: String, CodingKey {
        case model
        case maxTokens = "max_tokens"
        case messages
        case stream
    }

    /// The `messages` array: its length and its last message, the only one the mock reads. The others are only
    /// checked to be objects, since decoding a long conversation's text was most of the mock's CPU per request.
    struct Conversation: Decodable, Sendable {
        var count = 0
        var last: Message?

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            let total = container.count ?? 0
            while !container.isAtEnd {
                if self.count == total - 1 {
                    self.last = try container.decode(Message.self)
                } else {
                    _ = try container.decode(MessageShape.self)
                }
                self.count += 1
            }
        }
    }

    /// A message not read: only required to be an object, as the real API requires.
    private struct MessageShape: Decodable {
        init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: Message.CodingKeys.self)
        }
    }

    struct Message: Decodable, Sendable {
        var role: String?
        var blocks: [Block]

        enum CodingKeys: String, CodingKey { case role, content }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.role = try? container.decode(String.self, forKey: .role)
            if let text = try? container.decode(String.self, forKey: .content) {
                self.blocks = [Block(type: "text", text: text)]
            } else {
                self.blocks = (try? container.decode([Block].self, forKey: .content)) ?? []
            }
        }
    }

    struct Block: Decodable, Sendable {
        var type: String
        var text: String?
        /// Text of a `tool_result` block's content (a string or text blocks).
        var toolResultText: String?

        enum CodingKeys: String, CodingKey { case type, text, content }

        init(type: String, text: String?) {
            self.type = type
            self.text = text
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.type = (try? container.decode(String.self, forKey: .type)) ?? ""
            self.text = try? container.decode(String.self, forKey: .text)
            guard self.type == "tool_result" else { return }
            if let text = try? container.decode(String.self, forKey: .content) {
                self.toolResultText = text
            } else if let parts = try? container.decode([Block].self, forKey: .content) {
                self.toolResultText = parts.compactMap(\.text).joined(separator: "\n")
            } else {
                self.toolResultText = ""
            }
        }
    }
}

extension MockMessagesRequest {
    /// Decodes and validates a Messages body the way the real API rejects bad ones (400).
    /// - Parameter requireMaxTokens: false for `count_tokens`, which takes no generation parameters.
    /// - Throws: ``MockError`` `invalid_request_error`.
    static func parse(_ body: ByteBuffer, requireMaxTokens: Bool = true) throws(MockError) -> MockMessagesRequest {
        let request: MockMessagesRequest
        do {
            request = try JSONDecoder().decode(MockMessagesRequest.self, from: Data(body.readableBytesView))
        } catch let DecodingError.typeMismatch(type, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            let expected = type == String.self ? "string" : type == Int.self ? "integer" : "\(type)"
            throw .invalidRequest(
                field.isEmpty ? "Request body must be a JSON object" : "\(field): Input should be a valid \(expected)"
            )
        } catch {
            throw .invalidRequest("There was an error parsing the body: the request body is not valid JSON")
        }
        guard request.model != nil else { throw .invalidRequest("model: Field required") }
        guard request.maxTokens != nil || !requireMaxTokens else { throw .invalidRequest("max_tokens: Field required") }
        guard let messages = request.messages else { throw .invalidRequest("messages: Field required") }
        guard messages.count > 0 else { throw .invalidRequest("messages: at least one message is required") }
        return request
    }

    /// The last message, when it is the user's.
    var lastUserMessage: Message? {
        guard let last = self.messages?.last, last.role == "user" else { return nil }
        return last
    }

    /// Text of the `tool_result` blocks of the last user message, or nil when it has none.
    var lastToolResultText: String? {
        let results = self.lastUserMessage?.blocks.filter { $0.type == "tool_result" } ?? []
        guard !results.isEmpty else { return nil }
        return results.compactMap(\.toolResultText).joined(separator: "\n")
    }

    /// The `NAME` of the first `[mock:NAME]` marker in the last user message's text.
    var lastUserMarker: String? {
        for block in self.lastUserMessage?.blocks ?? [] {
            if let text = block.text, let name = Self.marker(in: text) { return name }
        }
        return nil
    }

    static func marker(in text: String) -> String? {
        guard let open = text.range(of: "[mock:") else { return nil }
        guard let close = text[open.upperBound...].firstIndex(of: "]") else { return nil }
        return String(text[open.upperBound..<close])
    }
}
