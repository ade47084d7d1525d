#include "core/network/layer_list_text.hpp"

#include "core/common/param_error.hpp"

#include <charconv>
#include <sstream>

namespace cbl {

namespace {

/// The whole word as a number, or nothing.
template <typename T>
bool read_number(const std::string& word, T& out) {
    const char* end = word.data() + word.size();
    const auto r = std::from_chars(word.data(), end, out);
    return r.ec == std::errc() && r.ptr == end;
}

bool is_activation(const std::string& w) {
    return w == "relu" || w == "sigmoid" || w == "tanh";
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

} // namespace

std::string layer_list_text(const std::vector<LayerSpec>& specs) {
    std::ostringstream out;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& s = specs[i];
        out << (i ? ", " : "") << s.kind;
        if (s.kind == "conv2d") {
            out << ' ' << s.kernel << 'x' << s.kernel << 'x' << s.channels;
            if (s.stride != 1) out << " stride " << s.stride;
            if (s.padding != 0) out << " pad " << s.padding;
        } else if (s.kind == "maxpool2d") {
            out << ' ' << s.kernel;
            if (s.stride != s.kernel) out << " stride " << s.stride;
        } else if (s.kind == "dropout") {
            out << ' ' << s.rate;
        } else if (s.kind == "dense" || s.kind == "lstm") {
            out << ' ' << s.units;
        }
        if (!s.activation.empty()) out << ' ' << s.activation;
    }
    return out.str();
}

std::vector<LayerSpec> parse_layer_list(const std::string& text) {
    std::vector<LayerSpec> specs;
    std::stringstream entries(text);
    std::string entry;
    int index = 0;
    while (std::getline(entries, entry, ',')) {
        ++index;
        entry = trimmed(entry);
        std::istringstream in(entry);
        std::vector<std::string> w;
        for (std::string word; in >> word;)
            w.push_back(word);
        const auto fail = [&](const std::string& expected) {
            throw InputError("network entry " + std::to_string(index) + ", “" + entry +
                             "”: write " + expected);
        };
        if (w.empty()) fail("a layer between the commas, e.g. dense 128 relu");
        LayerSpec s;
        s.kind = w[0];
        std::size_t next = 2;
        // Optional trailing words: "stride S", "pad P" and an activation, where the kind has them.
        const auto options = [&](bool stride, bool pad, bool activation, const std::string& form) {
            for (std::size_t i = next; i < w.size(); ++i) {
                if (stride && w[i] == "stride" && i + 1 < w.size() &&
                    read_number(w[i + 1], s.stride))
                    ++i;
                else if (pad && w[i] == "pad" && i + 1 < w.size() &&
                         read_number(w[i + 1], s.padding))
                    ++i;
                else if (activation && is_activation(w[i]) && s.activation.empty())
                    s.activation = w[i];
                else
                    fail(form);
            }
        };
        if (s.kind == "conv2d") {
            const std::string form = "conv2d KxKxC [stride S] [pad P] [relu|sigmoid|tanh], e.g. "
                                     "conv2d 5x5x32 relu";
            int k2 = 0;
            char x1 = 0, x2 = 0;
            std::istringstream shape(w.size() > 1 ? w[1] : "");
            if (!(shape >> s.kernel >> x1 >> k2 >> x2 >> s.channels) || x1 != 'x' || x2 != 'x' ||
                !shape.eof() || k2 != s.kernel)
                fail(form + " (square kernels: K twice)");
            options(true, true, true, form);
        } else if (s.kind == "maxpool2d") {
            const std::string form = "maxpool2d K [stride S], e.g. maxpool2d 2";
            if (w.size() < 2 || !read_number(w[1], s.kernel)) fail(form);
            s.stride = s.kernel;
            options(true, false, false, form);
        } else if (s.kind == "dropout") {
            if (w.size() != 2 || !read_number(w[1], s.rate))
                fail("dropout RATE, e.g. dropout 0.25");
        } else if (s.kind == "flatten") {
            if (w.size() != 1) fail("flatten alone");
        } else if (s.kind == "dense") {
            const std::string form =
                "dense N [relu|sigmoid|tanh], e.g. dense 128 relu (N = 0: one per class)";
            if (w.size() < 2 || !read_number(w[1], s.units)) fail(form);
            options(false, false, true, form);
        } else if (s.kind == "lstm") {
            if (w.size() != 2 || !read_number(w[1], s.units)) fail("lstm H, e.g. lstm 128");
        } else {
            fail("a layer kind first: conv2d, maxpool2d, dropout, flatten, dense or lstm");
        }
        specs.push_back(std::move(s));
    }
    if (specs.empty())
        throw InputError("network: no layers; write e.g. conv2d 5x5x32 relu, maxpool2d 2, "
                         "flatten, dense 10");
    return specs;
}

} // namespace cbl
