// BlurHash: a short string standing for an image while it loads, as
// Mastodon clients draw it from an attachment's `blurhash`. The image's
// colours, in linear light, are taken apart into a few cosine components
// across and down; the average colour and each component are quantised and
// written in a base-83 alphabet. No Debian package encodes it, and the
// algorithm is a page of arithmetic: it is written here from its published
// description.
#pragma once

#include <cstdint>
#include <string>

namespace chirp {

// The hash of an image of `width` x `height` pixels, `rgb` holding 3 bytes
// (sRGB) a pixel, row by row, with `x_components` across and `y_components`
// down (each 1 to 9). Empty when the arguments are out of range.
std::string EncodeBlurhash(const uint8_t* rgb, int width, int height, int x_components,
                           int y_components);

}  // namespace chirp
