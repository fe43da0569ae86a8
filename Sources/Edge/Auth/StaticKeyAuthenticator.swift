import Crypto
import HTTPTypes

/// Authenticates students against a fixed list of keys from the configuration.
///
/// Only SHA-256 digests are kept in memory; a key ID (the digest's first 12 hex digits) names a key
/// in logs and records without revealing it.
struct StaticKeyAuthenticator: Sendable {
    private let digests: Set<String>

    init(keys: [String]) {
        self.digests = Set(keys.map(Self.hexDigest(of:)))
    }

    /// The key ID for the request's credential, or the error to answer with.
    func authenticate(_ headers: HTTPFields) throws(AnthropicError) -> String {
        switch ClientCredential(headers: headers) {
        case .missing: throw .missingKey
        case .personalToken: throw .personalToken
        case .anthropicKey: throw .anthropicKey
        case .key(let key):
            let digest = Self.hexDigest(of: key)
            guard self.digests.contains(digest) else { throw .unknownKey }
            return String(digest.prefix(12))
        }
    }

    static func hexDigest(of key: String) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(key.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
