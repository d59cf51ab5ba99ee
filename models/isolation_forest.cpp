#include "models/isolation_forest.hpp"

#include "models/features.hpp"
#include "models/fit_kernels.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace rtad::models {

namespace {

constexpr double euler_gamma = 0.5772156649015328606;
constexpr std::size_t exact_harmonic_limit = 4096;
constexpr std::size_t batch_block_rows = 16;
constexpr float padding_value = -std::numeric_limits<float>::infinity();

double harmonic(std::size_t n) {
  static const std::vector<double> table = [] {
    std::vector<double> h(exact_harmonic_limit + 1, 0.0);
    for (std::size_t i = 1; i <= exact_harmonic_limit; ++i)
      h[i] = h[i - 1] + 1.0 / static_cast<double>(i);
    return h;
  }();
  if (n <= exact_harmonic_limit)
    return table[n];
  // Asymptotic series; its error is below 1e-16 for n > 4096.
  auto x = static_cast<double>(n);
  return std::log(x) + euler_gamma + 1.0 / (2 * x) - 1.0 / (12 * x * x);
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// c(n) for n = 0..psi: a leaf's path length is its depth + c(its size).
std::vector<double> path_length_table(std::size_t psi) {
  std::vector<double> c(psi + 1);
  for (std::size_t n = 0; n <= psi; ++n)
    c[n] = average_path_length(n);
  return c;
}

/// Fills in the points under each inner node of one tree from its leaves' sizes
/// (children come after their parent). Saturates at 65,535.
void sum_inner_sizes(const isolation_forest::node* tree, std::size_t count, std::size_t dims,
                     std::uint16_t* sizes) {
  for (std::size_t i = count; i-- > 0;)
    if (tree[i].feature != dims)
      sizes[i] = static_cast<std::uint16_t>(std::min<std::uint32_t>(
        65535u, std::uint32_t{sizes[tree[i].child]} + sizes[tree[i].child + 1u]));
}

/// Points under each node of one tree, recovered from the nodes alone: a
/// leaf's size from its path length depth + c(size) (the nearest n in the
/// table of c, as the leaf was built with the exact c; an empty leaf reads as
/// one point, as c(0) = c(1)), an inner node's as its children's sum.
void recover_sizes(const isolation_forest::node* tree, std::size_t count, std::size_t dims,
                   const std::vector<double>& c_of, std::uint16_t* sizes) {
  std::vector<std::uint16_t> depth(count, 0);
  for (std::size_t i = 0; i < count; ++i)
    if (tree[i].feature != dims)
      depth[tree[i].child] = depth[tree[i].child + 1u] = static_cast<std::uint16_t>(depth[i] + 1);
  const auto psi = c_of.size() - 1;
  for (std::size_t i = 0; i < count; ++i) {
    if (tree[i].feature != dims)
      continue;
    double target = tree[i].split - depth[i];
    auto n = static_cast<std::size_t>(std::lower_bound(c_of.begin() + 1, c_of.end(), target) -
                                      c_of.begin());
    if (n > psi)
      n = psi;
    if (n > 1 && target - c_of[n - 1] < c_of[n] - target)
      --n;
    sizes[i] = static_cast<std::uint16_t>(std::min<std::size_t>(n, 65535u));
  }
  sum_inner_sizes(tree, count, dims, sizes);
}

/// Copies a row into a buffer whose extra last column is the leaf sentinel.
using padded_row = std::array<float, isolation_forest::max_dims + 1>;

void pad(const float* row, std::size_t dims, padded_row& out) {
  std::copy(row, row + dims, out.begin());
  out[dims] = padding_value;
}

/// The sum of the path lengths of `x` through `count` trees of `steps`
/// levels, `tree(k)` the nodes of the k-th. Four trees at a time: their
/// walks are independent chains of loads, so the CPU overlaps them.
template <class Tree>
double sum_of_paths(const padded_row& x, int steps, std::size_t count, Tree tree) {
  using node = isolation_forest::node;
  double total = 0;
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) {
    const node* a = tree(k);
    const node* b = tree(k + 1);
    const node* c = tree(k + 2);
    const node* d = tree(k + 3);
    std::uint32_t ia = 0, ib = 0, ic = 0, id = 0;
    for (int s = 0; s < steps; ++s) {
      ia = a[ia].child + (x[a[ia].feature] >= a[ia].split);
      ib = b[ib].child + (x[b[ib].feature] >= b[ib].split);
      ic = c[ic].child + (x[c[ic].feature] >= c[ic].split);
      id = d[id].child + (x[d[id].feature] >= d[id].split);
    }
    total += static_cast<double>(a[ia].split) + b[ib].split + c[ic].split + d[id].split;
  }
  for (; k < count; ++k) {
    const node* a = tree(k);
    std::uint32_t i = 0;
    for (int s = 0; s < steps; ++s)
      i = a[i].child + (x[a[i].feature] >= a[i].split);
    total += a[i].split;
  }
  return total;
}

} // namespace

double average_path_length(std::size_t n) {
  if (n <= 1)
    return 0.0;
  if (n == 2)
    return 1.0;
  auto x = static_cast<double>(n);
  return 2.0 * harmonic(n - 1) - 2.0 * (x - 1.0) / x;
}

isolation_forest::isolation_forest(std::size_t dims, forest_params params)
    : dims_(dims), params_(params), rng_(params.seed) {
  if (dims == 0 || dims > max_dims)
    throw std::invalid_argument("isolation_forest: dims must be in 1.." + std::to_string(max_dims));
  if (params.trees < 1)
    throw std::invalid_argument("isolation_forest: trees must be at least 1");
  if (params.sample_size < 2)
    throw std::invalid_argument("isolation_forest: sample_size must be at least 2");
  tree_start_.assign(static_cast<std::size_t>(params.trees) + 1, 0);
}

std::uint64_t isolation_forest::next_random() {
  return splitmix64(rng_);
}

std::size_t isolation_forest::next_below(std::size_t n) {
  // Lemire's multiply-shift instead of `%`: a 64-bit division costs tens of
  // cycles and a tree draws about a hundred of these. The bias is n / 2^32,
  // nothing for samples and feature counts.
  return static_cast<std::size_t>(((next_random() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
}

double isolation_forest::next_unit() {
  return static_cast<double>(next_random() >> 11) * 0x1.0p-53;
}

void isolation_forest::fit(matrix_view data) {
  refit_trees(0, tree_count(), data);
}

void isolation_forest::refit_trees(std::size_t first, std::size_t count, matrix_view data) {
  if (data.dims != dims_)
    throw std::invalid_argument("isolation_forest: data has " + std::to_string(data.dims) +
                                " features, forest expects " + std::to_string(dims_));
  if (data.rows < 2)
    throw std::invalid_argument("isolation_forest: need at least 2 rows to fit");
  // Rows are known by their offset, which the gathers take as an int32.
  if (data.rows * dims_ > std::numeric_limits<std::int32_t>::max())
    throw std::invalid_argument("isolation_forest: at most 2^31 values to fit on");
  auto psi = std::min<std::size_t>(static_cast<std::size_t>(params_.sample_size), data.rows);
  if (psi != psi_) {
    // A different sub-sample size changes c(psi): every tree must agree on it.
    psi_ = psi;
    first = 0;
    count = tree_count();
  }
  c_psi_ = average_path_length(psi_);
  height_limit_ = static_cast<int>(std::ceil(std::log2(static_cast<double>(psi_))));
  const auto trees = tree_count();
  count = std::min(count, trees);
  build_scratch scratch;
  scratch.kernels = &fit_kernels::active();
  // Nodes read the data where it is: a row is known by where it starts,
  // and feature f of it is at that place + f. (A column-major copy cost a
  // user fit as much as a sixth of its trees.)
  scratch.data = data.data;
  // What every node would otherwise find out again: which features may be
  // drawn, which have a domain, which are constant everywhere (a user's
  // window often has one country, one device: most nodes draw one of them).
  for (std::size_t f = 0; f < dims_; ++f) {
    bool has_domain = !domains_.empty();
    if (has_domain && domains_[f].first > domains_[f].second)
      continue;
    scratch.usable.push_back(static_cast<std::uint16_t>(f));
    if (has_domain && domains_[f].first < domains_[f].second)
      scratch.with_domain |= std::uint64_t{1} << f;
  }
  // Row by row against the first, without an early exit: whole-vector
  // compares over contiguous rows (int flags: chars could alias the data
  // and keep the compiler from vectorising).
  std::vector<int> differs(dims_, 0);
  for (std::size_t r = 1; r < data.rows; ++r)
    for (std::size_t f = 0; f < dims_; ++f)
      differs[f] |= data.row(r)[f] != data.data[f];
  for (auto f : scratch.usable)
    if (!differs[f])
      scratch.constant |= std::uint64_t{1} << f;
  scratch.leaf_length = path_length_table(psi_);
  for (auto& buffer : scratch.rows)
    buffer.resize(psi_);
  scratch.values.resize(psi_ + 8); // + 8: see fit_kernels::range_of
  // Room for trees the size of the ones they replace, and some: the array
  // then rarely grows, and each growth would copy every tree built so far.
  scratch.built.reserve(count * (nodes_.size() / trees + 8));
  // Only right children wait (the left spine is built in a loop): at most
  // one per level, plus the root.
  scratch.pending.resize(static_cast<std::size_t>(height_limit_) + 2);
  // A tree has at most 2^(height + 1) - 1 nodes, empty leaves included.
  scratch.tree.resize((std::size_t{2} << height_limit_) - 1);
  scratch.sizes.resize(scratch.tree.size());
  scratch.built_sizes.reserve(scratch.built.capacity());
  // Every row once, then every tree's partial shuffle starts from where the
  // last one left: still a uniform sample, without rewriting every row.
  scratch.sample.resize(data.rows);
  for (std::size_t r = 0; r < data.rows; ++r)
    scratch.sample[r] = static_cast<std::uint32_t>(r * dims_);
  for (std::size_t k = 0; k < count; ++k)
    build_tree(scratch);
  scratch.built_start.push_back(static_cast<std::uint32_t>(scratch.built.size()));
  // Splice: the trees rebuilt from `built`, the others as they were, into an
  // array of exactly the size needed.
  // Tree t is the k-th rebuilt when k = (t - first) mod trees is below count.
  // Each tree as (its nodes, their sizes, how many).
  struct span {
    const node* nodes;
    const std::uint16_t* sizes;
    std::size_t count;
  };
  auto tree_of = [&](std::size_t t) -> span {
    auto k = (t + trees - first) % trees;
    if (k >= count)
      return {tree_nodes(t), sizes_.data() + tree_start_[t], tree_size(t)};
    auto at = scratch.built_start[k];
    return {scratch.built.data() + at, scratch.built_sizes.data() + at,
            scratch.built_start[k + 1] - at};
  };
  std::size_t total = 0;
  for (std::size_t t = 0; t < trees; ++t)
    total += tree_of(t).count;
  std::vector<node> merged;
  std::vector<std::uint16_t> merged_sizes;
  merged.reserve(total);
  merged_sizes.reserve(total);
  std::vector<std::uint32_t> starts(trees + 1);
  for (std::size_t t = 0; t < trees; ++t) {
    starts[t] = static_cast<std::uint32_t>(merged.size());
    auto tree = tree_of(t);
    merged.insert(merged.end(), tree.nodes, tree.nodes + tree.count);
    merged_sizes.insert(merged_sizes.end(), tree.sizes, tree.sizes + tree.count);
  }
  starts[trees] = static_cast<std::uint32_t>(merged.size());
  nodes_ = std::move(merged);
  sizes_ = std::move(merged_sizes);
  tree_start_ = std::move(starts);
}

void isolation_forest::build_tree(build_scratch& s) {
  // Partial Fisher-Yates: the first psi entries become a uniform sample
  // without replacement that depends only on the RNG state (the refit starts
  // from every row in order), so a restored model draws the same samples as
  // one that stayed in memory. Each 64-bit draw gives two 32-bit ones.
  auto& sample = s.sample;
  auto n = sample.size();
  auto below = [](std::uint64_t r32, std::size_t m) {
    return static_cast<std::size_t>((r32 * static_cast<std::uint64_t>(m)) >> 32);
  };
  for (std::size_t k = 0; k < psi_; k += 2) {
    auto r = next_random();
    std::swap(sample[k], sample[k + below(r >> 32, n - k)]);
    if (k + 1 < psi_)
      std::swap(sample[k + 1], sample[k + 1 + below(r & 0xffffffffu, n - k - 1)]);
  }
  std::copy(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(psi_), s.rows[0].begin());
  // Depth first, left before right, as a recursion would go, but a loop
  // over a stack of right children instead of a call per node (a user tree
  // has ~34 of them).
  std::uint32_t used = 1;
  std::size_t top = 1;
  s.pending[0] = {0, 0, static_cast<std::uint32_t>(psi_), 0, 0, s.constant};
  while (top > 0) {
    --top;
    top += build_node(s, top, used);
  }
  sum_inner_sizes(s.tree.data(), used, dims_, s.sizes.data()); // as a restore recovers them
  s.built_start.push_back(static_cast<std::uint32_t>(s.built.size()));
  s.built.insert(s.built.end(), s.tree.begin(), s.tree.begin() + used);
  s.built_sizes.insert(s.built_sizes.end(), s.sizes.begin(), s.sizes.begin() + used);
}

void isolation_forest::make_leaf(build_scratch& s, std::uint32_t at, std::uint32_t depth,
                                 std::size_t size) const {
  s.tree[at] = {static_cast<float>(depth + s.leaf_length[size]), static_cast<std::uint16_t>(dims_),
                static_cast<std::uint16_t>(at)};
  // An empty leaf counts one point, as a restore reads it (c(0) = c(1)).
  s.sizes[at] = static_cast<std::uint16_t>(std::clamp<std::size_t>(size, 1, 65535));
}

std::size_t isolation_forest::build_node(build_scratch& s, std::size_t top, std::uint32_t& used) {
  // Fields one by one, never the whole struct: a copy would read in wider
  // words than the last writes, which stalls store forwarding.
  const pending_node& p = s.pending[top];
  auto at = p.at, begin = p.begin, end = p.end, depth = p.depth, buffer = p.buffer;
  auto constant = p.constant;
  const auto height = static_cast<std::uint32_t>(height_limit_);
  std::size_t queued = 0;
  // Down the left spine: a split's left child is built next, in this loop,
  // and its right child waits on the stack; the order of a recursion.
  for (;;) {
    auto size = static_cast<std::size_t>(end - begin);
    if (depth >= height || size <= 1) {
      make_leaf(s, at, depth, size);
      return queued;
    }
    const std::uint32_t* rows = s.rows[buffer].data() + begin;
    // Pick a random feature that is not constant here; after as many misses as
    // there are features, fall back to a scan so constant data ends in a leaf.
    // A feature constant in a node is constant in all its descendants: one
    // scan finds out for the whole subtree.
    std::size_t feature = dims_;
    fit_kernels::range r{};
    bool empty_side = false;
    const auto usable = s.usable.size();
    for (std::size_t tries = 0; tries < 2 * usable; ++tries) {
      std::size_t f = s.usable[next_below(usable)];
      auto bit = std::uint64_t{1} << f;
      if (!(constant & bit)) {
        r = s.kernels->range_of(s.column(f), rows, size, s.values.data());
        if (r.hi > r.lo) {
          feature = f;
          break;
        }
        constant |= bit;
      }
      if (s.with_domain & bit) {
        feature = f;
        empty_side = true;
        r = {domains_[f].first, domains_[f].second};
        break;
      }
    }
    if (feature == dims_) {
      for (std::size_t k = 0; k < usable && feature == dims_; ++k) {
        auto f = s.usable[k];
        if (constant & (std::uint64_t{1} << f))
          continue;
        r = s.kernels->range_of(s.column(f), rows, size, s.values.data());
        if (r.hi > r.lo)
          feature = f;
        else
          constant |= std::uint64_t{1} << f;
      }
      if (feature == dims_) {
        make_leaf(s, at, depth, size);
        return queued;
      }
    }
    const float lo_v = r.lo, hi_v = r.hi;
    auto split = static_cast<float>(lo_v + next_unit() * (static_cast<double>(hi_v) - lo_v));
    if (empty_side && params_.half_precision_splits)
      split = to_half_precision(split);
    if (empty_side) {
      // All rows share this feature's value: they all take one side.
    } else if (params_.half_precision_splits) {
      // lo_v and hi_v are half-precision values, so a half-precision split in
      // (lo_v, hi_v] always exists: round, else step to the next half above lo_v.
      split = to_half_precision(split);
      if (split <= lo_v || split > hi_v) {
        auto bits = half_bits(lo_v);
        split =
          from_half_bits(lo_v >= 0 ? static_cast<std::uint16_t>(bits + 1)
                                   : static_cast<std::uint16_t>(bits == 0x8000u ? 1 : bits - 1));
      }
    }
    if (!empty_side && split <= lo_v)
      split = std::nextafter(lo_v, hi_v);
    const float* col = s.column(feature);
    auto left_end = end, right_begin = begin, child_buffer = buffer;
    if (empty_side) {
      // One value: every row goes the same way, and stays where it is.
      if (col[*rows] < split)
        right_begin = end;
      else
        left_end = begin;
    } else {
      // Into the other buffer, left rows from the front and right rows from
      // the back; nothing is copied back (the children read that buffer).
      child_buffer = 1 - buffer;
      left_end = right_begin = s.kernels->partition(s.values.data(), rows, size, split,
                                                    s.rows[child_buffer].data(), begin, end);
    }
    auto child = used;
    used += 2;
    s.tree[at] = {split, static_cast<std::uint16_t>(feature), static_cast<std::uint16_t>(child)};
    // A right child that can only be a leaf becomes one now, without a trip
    // through the stack.
    ++depth;
    if (depth >= height || end - right_begin <= 1) {
      make_leaf(s, child + 1, depth, end - right_begin);
    } else {
      auto& q = s.pending[top + queued++];
      q.at = child + 1;
      q.begin = right_begin;
      q.end = end;
      q.depth = depth;
      q.buffer = child_buffer;
      q.constant = constant;
    }
    at = child;
    end = left_end;
    buffer = child_buffer;
  }
}

double isolation_forest::mean_path_length(const float* row) const {
  padded_row x;
  pad(row, dims_, x);
  return sum_of_paths(x, height_limit_, tree_count(),
                      [&](std::size_t k) { return tree_nodes(k); }) /
         static_cast<double>(tree_count());
}

double isolation_forest::path_length_sum(const float* row,
                                         const std::vector<std::size_t>& trees) const {
  padded_row x;
  pad(row, dims_, x);
  return sum_of_paths(x, height_limit_, trees.size(),
                      [&](std::size_t k) { return tree_nodes(trees[k]); });
}

std::vector<std::size_t>
isolation_forest::trees_changed_since(const isolation_forest& before) const {
  std::vector<std::size_t> changed;
  bool same_shape = before.dims_ == dims_ && before.tree_count() == tree_count() &&
                    before.height_limit_ == height_limit_ && before.c_psi_ == c_psi_;
  for (std::size_t t = 0; t < tree_count(); ++t)
    if (!same_shape || before.tree_size(t) != tree_size(t) ||
        std::memcmp(before.tree_nodes(t), tree_nodes(t), tree_size(t) * sizeof(node)) != 0)
      changed.push_back(t);
  return changed;
}

double isolation_forest::score(const float* row) const {
  return std::exp2(-mean_path_length(row) / c_psi_);
}

void isolation_forest::score_batch(matrix_view data, double* out) const {
  constexpr std::size_t block_rows = batch_block_rows;
  const auto stride = dims_ + 1;
  std::vector<float> block(stride * block_rows);
  for (std::size_t r0 = 0; r0 < data.rows; r0 += block_rows) {
    auto rows = std::min(block_rows, data.rows - r0);
    // Always a full block (the last row repeated): the walk below then has a
    // compile-time row count, so the compiler unrolls it and keeps every
    // row's position in a register instead of a round trip through memory.
    for (std::size_t r = 0; r < block_rows; ++r) {
      const float* src = data.row(r0 + std::min(r, rows - 1));
      std::copy(src, src + dims_, block.begin() + static_cast<std::ptrdiff_t>(r * stride));
      block[r * stride + dims_] = padding_value;
    }
    std::array<double, block_rows> sums{};
    // One tree at a time over the whole block keeps that tree in L1.
    for (std::size_t t = 0; t < tree_count(); ++t) {
      const node* n = tree_nodes(t);
      std::array<std::uint32_t, block_rows> at{};
      for (int s = 0; s < height_limit_; ++s)
        for (std::size_t r = 0; r < block_rows; ++r) {
          const auto& nd = n[at[r]];
          at[r] = nd.child + (block[r * stride + nd.feature] >= nd.split);
        }
      for (std::size_t r = 0; r < block_rows; ++r)
        sums[r] += n[at[r]].split;
    }
    for (std::size_t r = 0; r < rows; ++r)
      out[r0 + r] = score_of_sum(sums[r]);
  }
}

std::vector<double> isolation_forest::path_attribution(const float* row) const {
  std::vector<double> credit(dims_, 0.0);
  if (!trained())
    return credit;
  padded_row x;
  pad(row, dims_, x);
  for (std::size_t t = 0; t < tree_count(); ++t) {
    const node* tree = tree_nodes(t);
    const std::uint16_t* size = sizes_.data() + tree_start_[t];
    // DIFFI-like: each split on the row's path is credited with the share of
    // points it separated from the row, and a tree counts more the sooner it
    // isolates the row (weight 1/h): one walk finds h, a second credits.
    std::uint32_t i = 0;
    while (tree[i].feature != dims_)
      i = tree[i].child + (x[tree[i].feature] >= tree[i].split);
    const double h = tree[i].split;
    const double tree_weight = h > 0 ? 1.0 / h : 1.0;
    double here = static_cast<double>(psi_); // the root holds the whole sample
    for (i = 0; tree[i].feature != dims_;) {
      auto next = tree[i].child + (x[tree[i].feature] >= tree[i].split);
      double there = size[next];
      credit[tree[i].feature] += tree_weight * (here > 0 ? std::max(0.0, 1.0 - there / here) : 0.0);
      i = next;
      here = there;
    }
  }
  double total = std::accumulate(credit.begin(), credit.end(), 0.0);
  if (total > 0)
    for (auto& c : credit)
      c /= total;
  return credit;
}

std::size_t isolation_forest::node_count() const {
  return nodes_.size();
}

std::size_t isolation_forest::memory_bytes() const {
  return nodes_.capacity() * sizeof(node) + sizes_.capacity() * sizeof(std::uint16_t) +
         tree_start_.capacity() * sizeof(std::uint32_t);
}

std::vector<std::vector<isolation_forest::node>> isolation_forest::trees() const {
  std::vector<std::vector<node>> out(tree_count());
  for (std::size_t t = 0; t < out.size(); ++t)
    out[t].assign(tree_nodes(t), tree_nodes(t) + tree_size(t));
  return out;
}

void isolation_forest::set_domains(std::vector<std::pair<float, float>> domains) {
  if (!domains.empty() && domains.size() != dims_)
    throw std::invalid_argument("isolation_forest: one domain per feature");
  domains_ = std::move(domains);
}

void isolation_forest::restore(std::size_t dims, forest_params params, std::size_t psi,
                               std::uint64_t rng, std::vector<std::vector<node>> trees) {
  auto domains = std::move(domains_);
  *this = isolation_forest(dims, params);
  if (domains.size() == dims)
    domains_ = std::move(domains);
  psi_ = psi;
  rng_ = rng;
  if (trees.size() != tree_count())
    throw std::invalid_argument("isolation_forest: restore needs one node array per tree");
  nodes_.clear();
  for (std::size_t t = 0; t < trees.size(); ++t) {
    tree_start_[t] = static_cast<std::uint32_t>(nodes_.size());
    nodes_.insert(nodes_.end(), trees[t].begin(), trees[t].end());
  }
  tree_start_.back() = static_cast<std::uint32_t>(nodes_.size());
  nodes_.shrink_to_fit();
  sizes_.assign(nodes_.size(), 0);
  const auto c_of = path_length_table(psi_);
  for (std::size_t t = 0; t < tree_count(); ++t)
    recover_sizes(tree_nodes(t), tree_size(t), dims_, c_of, sizes_.data() + tree_start_[t]);
  c_psi_ = average_path_length(psi_);
  height_limit_ = psi_ > 1 ? static_cast<int>(std::ceil(std::log2(static_cast<double>(psi_)))) : 0;
}

bool operator==(const isolation_forest& a, const isolation_forest& b) {
  if (a.dims_ != b.dims_ || a.psi_ != b.psi_ || a.rng_ != b.rng_ ||
      a.tree_start_ != b.tree_start_ || a.params_.trees != b.params_.trees ||
      a.params_.sample_size != b.params_.sample_size || a.params_.seed != b.params_.seed ||
      a.params_.half_precision_splits != b.params_.half_precision_splits)
    return false;
  for (std::size_t i = 0; i < a.nodes_.size(); ++i) {
    const auto& x = a.nodes_[i];
    const auto& y = b.nodes_[i];
    if (x.split != y.split || x.feature != y.feature || x.child != y.child)
      return false;
  }
  return true;
}

} // namespace rtad::models
