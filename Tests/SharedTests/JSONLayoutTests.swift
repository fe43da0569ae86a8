import Testing

@testable import Shared

struct JSONLayoutTests {
    @Test(arguments: [
        #"{"system":"s","messages":[{"role":"user","content":"a"} , {"role":"assistant","content":[1,[2]]}],"tools":[]}"#,
        #"{ "messages" : [ ] , "model" : "m" }"#,
        #"{"messages":"not an array","x":{"messages":[1]}}"#,
        #"{"model":"m"}"#,
    ])
    func oneWalkFindsTheSameMembersAndElementsAsTwo(body: String) throws {
        let bytes = Array(body.utf8)
        try bytes.withUnsafeBytes { raw in
            let members = try #require(JSONLayout.members(of: raw))
            let layout = try #require(JSONLayout.members(of: raw, listingElementsOf: ArraySlice("messages".utf8)))
            #expect(layout.members.map(\.value) == members.map(\.value))
            let messages = members.first { $0.name == ArraySlice("messages".utf8) }
            #expect(layout.elements == messages.flatMap { JSONLayout.elements(of: raw, in: $0.value) })
        }
    }

    @Test func aBrokenArrayIsNoObject() {
        let bytes = Array(#"{"messages":[1 2]}"#.utf8)
        bytes.withUnsafeBytes { raw in
            #expect(JSONLayout.members(of: raw, listingElementsOf: ArraySlice("messages".utf8)) == nil)
        }
    }
}
