#include "core/experiment/text_sample.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <cmath>

namespace cbl {

namespace {
/// The bytes as UTF-8 text: well-formed sequences kept, any other byte replaced by U+FFFD. A
/// byte-level model can write half a multi-byte character, and JSON and the GUI need valid text.
std::string as_utf8(const std::string& bytes) {
    static constexpr char replacement[] = "\xEF\xBF\xBD";
    std::string out;
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    const auto continuation = [&](std::size_t i) {
        return i < bytes.size() && (at(i) & 0xC0) == 0x80;
    };
    for (std::size_t i = 0; i < bytes.size();) {
        const unsigned char b = at(i);
        // Lead bytes of 2-, 3- and 4-byte sequences (RFC 3629; C0, C1 and F5..FF never occur).
        const std::size_t len = b < 0x80                 ? 1
                                : b >= 0xC2 && b <= 0xDF ? 2
                                : b >= 0xE0 && b <= 0xEF ? 3
                                : b >= 0xF0 && b <= 0xF4 ? 4
                                                         : 0;
        bool ok = len > 0;
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = continuation(i + k);
        if (ok && len == 3) // no overlong forms, no surrogates
            ok = !(b == 0xE0 && at(i + 1) < 0xA0) && !(b == 0xED && at(i + 1) >= 0xA0);
        if (ok && len == 4) // no overlong forms, nothing above U+10FFFF
            ok = !(b == 0xF0 && at(i + 1) < 0x90) && !(b == 0xF4 && at(i + 1) >= 0x90);
        if (ok) {
            out.append(bytes, i, len);
            i += len;
        } else {
            out += replacement;
            ++i;
        }
    }
    return out;
}
} // namespace

template <typename Scalar>
std::string sample_characters(const Network<Scalar>& net, const std::string& vocabulary,
                              const Eigen::Ref<const Eigen::VectorXf>& prime, int count,
                              std::uint64_t seed, int epoch) {
    const int steps = int(prime.size()) - 1;
    if (steps < 1 || vocabulary.empty())
        throw InputError("sampling text needs a window of at least 2 characters and a vocabulary");
    // One class per vocabulary character, and one more when some byte of the validation or test
    // text is unknown to training (text.hpp): it is written as '?'.
    const int v = int(vocabulary.size()) + 1;
    Eigen::VectorXf window = prime;
    window[steps] = 0; // the target entry is not read by the network
    const CounterRng rng(seed, RngStream::sample_text);
    std::string text;
    text.reserve(std::size_t(count));
    Eigen::VectorXd p;
    for (int i = 0; i < count; ++i) {
        // The evaluation reads of a third stream beside the test (epoch) and validation
        // (2^32 + epoch) sets: Network::evaluate keys batch b of set E at E * 1000003 + b.
        const std::uint64_t key = ((2ull << 32) + std::uint64_t(epoch)) * 1000003ull + i;
        const auto z = net.outputs(window, key);
        // The loss head reads the V x T outputs followed by the sample's T + 1 indices
        // (loss_head.hpp).
        const auto outputs = z.size() - (steps + 1);
        const auto classes = outputs / steps;
        if (outputs % steps != 0 || classes < v - 1 || classes > v)
            throw InputError("sampling text: the network's output has " + std::to_string(z.size()) +
                             " values, not one per character (" + std::to_string(v - 1) + ", or " +
                             std::to_string(v) + " with unknown) for each of " +
                             std::to_string(steps) + " steps");
        // Character c of step t sits at c * T + t (channel-major, loss_head.hpp).
        p.resize(classes);
        for (int c = 0; c < classes; ++c)
            p[c] = double(z(std::ptrdiff_t(c) * steps + steps - 1, 0));
        p = (p.array() - p.maxCoeff()).exp();
        double u = rng.uniform(std::uint64_t(epoch), std::uint32_t(i)) * p.sum();
        int next = int(classes) - 1;
        for (int c = 0; c < classes; ++c) {
            u -= p[c];
            if (u <= 0) {
                next = c;
                break;
            }
        }
        text.push_back(next < int(vocabulary.size()) ? vocabulary[std::size_t(next)] : '?');
        // Slide the window: the new character becomes the last one of the context.
        window.head(steps - 1) = window.segment(1, steps - 1).eval();
        window[steps - 1] = float(next);
    }
    return as_utf8(text);
}

template std::string sample_characters(const Network<float>&, const std::string&,
                                       const Eigen::Ref<const Eigen::VectorXf>&, int, std::uint64_t,
                                       int);
template std::string sample_characters(const Network<double>&, const std::string&,
                                       const Eigen::Ref<const Eigen::VectorXf>&, int, std::uint64_t,
                                       int);

} // namespace cbl
