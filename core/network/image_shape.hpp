#pragma once
// The shape of the values flowing between layers: channels x height x width, stored flat in
// channel-major (C, H, W) order, as datasets store images (a dense layer's output is units x 1 x
// 1).
#include <string>

namespace cbl {

struct ImageShape {
    int channels = 1, height = 1, width = 1;

    int size() const { return channels * height * width; }
    int plane() const { return height * width; }
    std::string str() const {
        return std::to_string(channels) + "x" + std::to_string(height) + "x" +
               std::to_string(width);
    }
    bool operator==(const ImageShape&) const = default;
};

} // namespace cbl
