// libFuzzer entry for GSPWire, built by scripts/fuzz.sh together with the GSPWire sources
// (one module, so internal decoders are reachable). Not a SwiftPM target.
//
// Input starting with "GSPS": a whole frame. Anything else: byte 0 picks the message kind,
// the rest is an inflated body, so mutations reach the body decoder without fighting Adler-32.
// Whatever decodes must re-encode to a frame that decodes to the same message.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let message: Message?
    if bytes.starts(with: Frame.magic) {
        message = try? Frame.decode(bytes)
    } else if let kind = bytes.first {
        var reader = ByteReader(Array(bytes.dropFirst()))
        switch kind % 3 {
        case 0: message = (try? SyncRequest.decode(from: &reader)).map(Message.request)
        case 1: message = (try? SyncResponse.decode(from: &reader)).map(Message.response)
        default: message = (try? ErrorMessage.decode(from: &reader)).map(Message.error)
        }
    } else {
        message = nil
    }
    if let message {
        do {
            let again = try Frame.decode(Frame.encodeBytes(message, level: 1))
            precondition(again == message, "re-encoded message decodes differently")
        } catch {
            preconditionFailure("re-encoded message refused: \(error)")
        }
    }
    return 0
}
