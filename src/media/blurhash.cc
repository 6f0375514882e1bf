#include "media/blurhash.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace chirp {
namespace {

constexpr std::string_view kDigits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

void AppendBase83(int value, int length, std::string& out) {
  for (int i = 1; i <= length; ++i) {
    int divisor = 1;
    for (int j = 0; j < length - i; ++j) divisor *= 83;
    out += kDigits[static_cast<size_t>((value / divisor) % 83)];
  }
}

// sRGB 0..255 to linear light 0..1, by table.
const std::array<double, 256>& LinearTable() {
  static const std::array<double, 256> table = [] {
    std::array<double, 256> t{};
    for (int i = 0; i < 256; ++i) {
      const double v = i / 255.0;
      t[static_cast<size_t>(i)] = v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    }
    return t;
  }();
  return table;
}

int SrgbOf(double linear) {
  const double v = std::clamp(linear, 0.0, 1.0);
  const double s = v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
  return static_cast<int>(std::lround(s * 255));
}

// The sign of `v` times |v|^exponent.
double SignedPow(double v, double exponent) {
  return std::copysign(std::pow(std::abs(v), exponent), v);
}

}  // namespace

std::string EncodeBlurhash(const uint8_t* rgb, int width, int height, int x_components,
                           int y_components) {
  if (rgb == nullptr || width <= 0 || height <= 0 || x_components < 1 || x_components > 9 ||
      y_components < 1 || y_components > 9) {
    return "";
  }
  const auto& linear = LinearTable();
  const size_t count = static_cast<size_t>(x_components * y_components);
  std::vector<std::array<double, 3>> factors(count);
  // Each component: the image weighted by cos(pi i x / w) cos(pi j y / h).
  std::vector<double> cos_x(static_cast<size_t>(width));
  std::vector<double> cos_y(static_cast<size_t>(height));
  for (int j = 0; j < y_components; ++j) {
    for (int y = 0; y < height; ++y) {
      cos_y[static_cast<size_t>(y)] = std::cos(std::numbers::pi * j * y / height);
    }
    for (int i = 0; i < x_components; ++i) {
      for (int x = 0; x < width; ++x) {
        cos_x[static_cast<size_t>(x)] = std::cos(std::numbers::pi * i * x / width);
      }
      std::array<double, 3> sum{};
      for (int y = 0; y < height; ++y) {
        const uint8_t* row = rgb + static_cast<size_t>(y) * static_cast<size_t>(width) * 3;
        for (int x = 0; x < width; ++x) {
          const double basis = cos_x[static_cast<size_t>(x)] * cos_y[static_cast<size_t>(y)];
          for (int c = 0; c < 3; ++c) sum[static_cast<size_t>(c)] += basis * linear[row[x * 3 + c]];
        }
      }
      const double scale = (i == 0 && j == 0 ? 1.0 : 2.0) / (static_cast<double>(width) * height);
      for (double& v : sum) v *= scale;
      factors[static_cast<size_t>(j * x_components + i)] = sum;
    }
  }

  std::string out;
  AppendBase83((x_components - 1) + (y_components - 1) * 9, 1, out);
  // The largest AC value, quantised, sets the scale of the others.
  double max_ac = 0;
  for (size_t k = 1; k < count; ++k) {
    for (double v : factors[k]) max_ac = std::max(max_ac, std::abs(v));
  }
  double ac_scale = 1;
  if (count > 1) {
    const int quantised = std::clamp(static_cast<int>(std::floor(max_ac * 166 - 0.5)), 0, 82);
    ac_scale = (quantised + 1) / 166.0;
    AppendBase83(quantised, 1, out);
  } else {
    AppendBase83(0, 1, out);
  }
  const auto& dc = factors[0];
  AppendBase83((SrgbOf(dc[0]) << 16) + (SrgbOf(dc[1]) << 8) + SrgbOf(dc[2]), 4, out);
  for (size_t k = 1; k < count; ++k) {
    int value = 0;
    for (double v : factors[k]) {
      const int q =
          std::clamp(static_cast<int>(std::floor(SignedPow(v / ac_scale, 0.5) * 9 + 9.5)), 0, 18);
      value = value * 19 + q;
    }
    AppendBase83(value, 2, out);
  }
  return out;
}

}  // namespace chirp
