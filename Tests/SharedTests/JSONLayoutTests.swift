import Testing

@testable import Shared

struct JSONLayoutTests {
    /// The texts of the members' values and of the listed array's elements, found in one walk.
    static func layout(_ body: String) -> (members: [String: String], elements: [String]?)? {
        let bytes = Array(body.utf8)
        return bytes.withUnsafeBytes { raw in
            JSONLayout.members(of: raw, listingElementsOf: ArraySlice("messages".utf8)).map { layout in
                let text = { (range: Range<Int>) in String(decoding: bytes[range], as: UTF8.self) }
                let members = Dictionary(layout.members.map { (String(decoding: $0.name, as: UTF8.self), text($0.value)) }, uniquingKeysWith: { $1 })
                return (members, layout.elements?.map(text))
            }
        }
    }

    @Test func theListedArraysElementsComeWithTheMembers() throws {
        let found = try #require(Self.layout(#"{"system":"s" , "messages":[{"role":"user"} , [1,[2]] ,"x"],"tools":[]}"#))
        #expect(found.members == ["system": #""s""#, "messages": #"[{"role":"user"} , [1,[2]] ,"x"]"#, "tools": "[]"])
        #expect(found.elements == [#"{"role":"user"}"#, "[1,[2]]", #""x""#])
    }

    @Test func anEmptyArrayHasNoElementsAndAnythingElseIsNotListed() throws {
        #expect(try #require(Self.layout(#"{ "messages" : [ ] }"#)).elements == [])
        #expect(try #require(Self.layout(#"{"messages":"text","x":{"messages":[1]}}"#)).elements == nil)
        #expect(try #require(Self.layout(#"{"model":"m"}"#)).elements == nil)
    }

    @Test func aBrokenArrayIsNoObject() {
        #expect(Self.layout(#"{"messages":[1 2]}"#) == nil)
        #expect(Self.layout(#"{"messages":[1,]}"#) == nil)
    }
}
