#include "models/quantile.hpp"

#include <algorithm>
#include <cmath>

namespace rtad::models {

void p2_quantile::add(double x) {
  if (n_ < 5) {
    height_[n_++] = x;
    if (n_ == 5) {
      std::sort(height_.begin(), height_.end());
      pos_ = {1, 2, 3, 4, 5};
      desired_ = {1, 1 + 2 * q_, 1 + 4 * q_, 3 + 2 * q_, 5};
    }
    return;
  }
  ++n_;
  int k;
  if (x < height_[0]) {
    height_[0] = x;
    k = 0;
  } else if (x >= height_[4]) {
    height_[4] = std::max(height_[4], x);
    k = 3;
  } else {
    k = 0;
    while (k < 3 && x >= height_[k + 1])
      ++k;
  }
  for (int i = k + 1; i < 5; ++i)
    pos_[i] += 1;
  const std::array<double, 5> increment{0, q_ / 2, q_, (1 + q_) / 2, 1};
  for (int i = 0; i < 5; ++i)
    desired_[i] += increment[i];
  for (int i = 1; i <= 3; ++i) {
    double d = desired_[i] - pos_[i];
    if ((d >= 1 && pos_[i + 1] - pos_[i] > 1) || (d <= -1 && pos_[i - 1] - pos_[i] < -1)) {
      double s = d >= 0 ? 1 : -1;
      // Piecewise-parabolic prediction; linear when it would break monotony.
      double hp =
        height_[i] +
        s / (pos_[i + 1] - pos_[i - 1]) *
          ((pos_[i] - pos_[i - 1] + s) * (height_[i + 1] - height_[i]) / (pos_[i + 1] - pos_[i]) +
           (pos_[i + 1] - pos_[i] - s) * (height_[i] - height_[i - 1]) / (pos_[i] - pos_[i - 1]));
      if (height_[i - 1] < hp && hp < height_[i + 1])
        height_[i] = hp;
      else {
        int j = i + static_cast<int>(s);
        height_[i] += s * (height_[j] - height_[i]) / (pos_[j] - pos_[i]);
      }
      pos_[i] += s;
    }
  }
}

double p2_quantile::value() const {
  if (n_ == 0)
    return 0;
  if (n_ < 5)
    return *std::max_element(height_.begin(), height_.begin() + static_cast<long>(n_));
  return height_[2];
}

} // namespace rtad::models
