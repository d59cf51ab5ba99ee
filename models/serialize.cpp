#include "models/serialize.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace rtad::models {

namespace {

constexpr std::array<std::uint8_t, 4> user_magic{'R', 'T', 'U', 'M'};
constexpr std::array<std::uint8_t, 4> forest_magic{'R', 'T', 'F', 'O'};
constexpr std::array<std::uint8_t, 4> global_magic{'R', 'T', 'G', 'M'};
constexpr std::size_t max_global_window = 1u << 24;
constexpr std::uint8_t leaf_tag = 0xff;
constexpr std::uint8_t raw_leaf_tag = 0xfe; // leaf whose path length is stored as float
constexpr std::size_t max_trees = 100000;
constexpr std::size_t max_sample_size = 1u << 16;
constexpr std::size_t max_window = 1u << 20;
constexpr std::size_t max_string = 4096;

class writer {
public:
  std::vector<std::uint8_t> bytes;

  void u8(std::uint8_t x) { bytes.push_back(x); }
  void raw(const void* p, std::size_t n) {
    auto* b = static_cast<const std::uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  template <class T>
  void fixed(T x) { // little endian on every platform rtad targets
    raw(&x, sizeof x);
  }
  void varint(std::uint64_t x) {
    while (x >= 0x80) {
      u8(static_cast<std::uint8_t>(x | 0x80));
      x >>= 7;
    }
    u8(static_cast<std::uint8_t>(x));
  }
  void zigzag(std::int64_t x) {
    varint((static_cast<std::uint64_t>(x) << 1) ^ static_cast<std::uint64_t>(x >> 63));
  }
  void str(const std::string& s) {
    varint(s.size());
    raw(s.data(), s.size());
  }
  void seal() { fixed(crc32(bytes.data(), bytes.size())); }
};

class reader {
public:
  reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - p_) < n)
      throw codec_error("checkpoint truncated");
  }
  std::uint8_t u8() {
    need(1);
    return *p_++;
  }
  template <class T>
  T fixed() {
    need(sizeof(T));
    T x;
    std::memcpy(&x, p_, sizeof x);
    p_ += sizeof x;
    return x;
  }
  std::uint64_t varint() {
    std::uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = u8();
      x |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return x;
    }
    throw codec_error("checkpoint corrupt: varint too long");
  }
  std::size_t count(std::size_t limit, const char* what) {
    auto n = varint();
    if (n > limit)
      throw codec_error(std::string("checkpoint corrupt: ") + what + " " + std::to_string(n) +
                        " exceeds " + std::to_string(limit));
    return static_cast<std::size_t>(n);
  }
  std::int64_t zigzag() {
    auto u = varint();
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string str() {
    auto n = count(max_string, "string length");
    need(n);
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  bool done() const { return p_ == end_; }
  void read_into(void* out, std::size_t n) {
    need(n);
    std::memcpy(out, p_, n);
    p_ += n;
  }

private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

/// Checks magic, format and CRC; returns a reader over the body.
reader open(const std::uint8_t* data, std::size_t size, const std::array<std::uint8_t, 4>& magic,
            const char* what) {
  if (size < magic.size() + 1 + 4)
    throw codec_error(std::string(what) + " checkpoint truncated (" + std::to_string(size) +
                      " bytes)");
  if (std::memcmp(data, magic.data(), magic.size()) != 0)
    throw codec_error(std::string("not a ") + what + " checkpoint (bad magic)");
  std::uint32_t stored;
  std::memcpy(&stored, data + size - 4, 4);
  if (crc32(data, size - 4) != stored)
    throw codec_error(std::string(what) + " checkpoint corrupt (checksum mismatch)");
  if (data[magic.size()] != checkpoint_format)
    throw codec_error(std::string(what) + " checkpoint format " +
                      std::to_string(data[magic.size()]) + " is not supported (this build reads " +
                      std::to_string(checkpoint_format) + ")");
  return reader(data + magic.size() + 1, size - magic.size() - 1 - 4);
}

void write_forest_params(writer& w, const forest_params& p) {
  w.varint(static_cast<std::uint64_t>(p.trees));
  w.varint(static_cast<std::uint64_t>(p.sample_size));
  w.fixed(p.seed);
  w.u8(p.half_precision_splits ? 1 : 0);
}

forest_params read_forest_params(reader& r) {
  forest_params p;
  p.trees = static_cast<int>(r.count(max_trees, "trees"));
  p.sample_size = static_cast<int>(r.count(max_sample_size, "sample size"));
  p.seed = r.fixed<std::uint64_t>();
  p.half_precision_splits = r.u8() != 0;
  if (p.trees < 1 || p.sample_size < 2)
    throw codec_error("checkpoint corrupt: forest shape");
  return p;
}

void write_split(writer& w, float split, bool half) {
  if (half)
    w.fixed(half_bits(split));
  else
    w.fixed(split);
}

float read_split(reader& r, bool half) {
  float x = half ? from_half_bits(r.fixed<std::uint16_t>()) : r.fixed<float>();
  if (!std::isfinite(x))
    throw codec_error("checkpoint corrupt: split value");
  return x;
}

/// Trees in depth-first order; a leaf stores its size, its path length is
/// recomputed exactly as the builder computed it.
void write_tree(writer& w, const std::vector<isolation_forest::node>& tree, std::size_t dims,
                std::size_t psi, bool half) {
  struct frame {
    std::uint32_t at;
    int depth;
  };
  std::vector<frame> stack{{0, 0}};
  while (!stack.empty()) {
    auto [at, depth] = stack.back();
    stack.pop_back();
    const auto& n = tree[at];
    if (n.feature != dims) {
      w.u8(static_cast<std::uint8_t>(n.feature));
      write_split(w, n.split, half);
      stack.push_back({n.child + 1u, depth + 1}); // right after left
      stack.push_back({n.child, depth + 1});
      continue;
    }
    double target = n.split - depth;
    std::size_t size = 0; // an empty side of a split on a constant feature
    while (size < psi && average_path_length(size) < target - 1e-4)
      ++size;
    if (static_cast<float>(depth + average_path_length(size)) == n.split) {
      w.u8(leaf_tag);
      w.varint(size);
    } else {
      w.u8(raw_leaf_tag);
      w.fixed(n.split);
    }
  }
}

std::vector<isolation_forest::node> read_tree(reader& r, std::size_t dims, std::size_t psi,
                                              bool half) {
  std::vector<isolation_forest::node> tree(1);
  const std::size_t max_nodes = 2 * psi - 1;
  struct frame {
    std::uint32_t at;
    int depth;
  };
  std::vector<frame> stack{{0, 0}};
  while (!stack.empty()) {
    auto [at, depth] = stack.back();
    stack.pop_back();
    auto tag = r.u8();
    if (tag == leaf_tag || tag == raw_leaf_tag) {
      float value;
      if (tag == leaf_tag) {
        auto size = r.count(psi, "leaf size");
        value = static_cast<float>(depth + average_path_length(size));
      } else {
        value = r.fixed<float>();
        if (!std::isfinite(value))
          throw codec_error("checkpoint corrupt: leaf value");
      }
      tree[at] = {value, static_cast<std::uint16_t>(dims), static_cast<std::uint16_t>(at)};
      continue;
    }
    if (tag >= dims)
      throw codec_error("checkpoint corrupt: feature " + std::to_string(tag) + " of " +
                        std::to_string(dims));
    if (tree.size() + 2 > max_nodes)
      throw codec_error("checkpoint corrupt: tree larger than its sample allows");
    auto child = static_cast<std::uint32_t>(tree.size());
    tree[at] = {read_split(r, half), tag, static_cast<std::uint16_t>(child)};
    tree.resize(tree.size() + 2);
    stack.push_back({child + 1, depth + 1});
    stack.push_back({child, depth + 1});
  }
  return tree;
}

void write_forest_body(writer& w, const isolation_forest& f) {
  w.varint(f.dims());
  write_forest_params(w, f.params());
  w.varint(f.effective_sample_size());
  w.fixed(f.rng_state());
  bool trained = f.trained();
  w.u8(trained ? 1 : 0);
  if (!trained)
    return;
  for (const auto& t : f.trees())
    write_tree(w, t, f.dims(), f.effective_sample_size(), f.params().half_precision_splits);
}

isolation_forest read_forest_body(reader& r) {
  auto dims = r.count(isolation_forest::max_dims, "dims");
  if (dims == 0)
    throw codec_error("checkpoint corrupt: zero dims");
  auto p = read_forest_params(r);
  auto psi = r.count(static_cast<std::size_t>(p.sample_size), "effective sample size");
  auto rng = r.fixed<std::uint64_t>();
  isolation_forest f(dims, p);
  std::vector<std::vector<isolation_forest::node>> trees(static_cast<std::size_t>(p.trees));
  if (r.u8()) {
    if (psi < 2)
      throw codec_error("checkpoint corrupt: trained forest without a sample");
    for (auto& t : trees)
      t = read_tree(r, dims, psi, p.half_precision_splits);
  }
  f.restore(dims, p, psi, rng, std::move(trees));
  return f;
}

void write_features(writer& w, const user_features& x) {
  for (auto v : x)
    w.fixed(half_bits(v));
}

user_features read_features(reader& r) {
  user_features x;
  for (auto& v : x)
    v = from_half_bits(r.fixed<std::uint16_t>());
  return x;
}

} // namespace

std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  // Slicing-by-8 (Intel, 2006): eight table look-ups per 8 bytes that do not
  // wait for each other, instead of one dependent look-up per byte.
  static const auto tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (std::size_t k = 1; k < 8; ++k)
        t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, data + i, 4); // little endian, as the format is
    std::memcpy(&hi, data + i + 4, 4);
    lo ^= c;
    c = tables[7][lo & 0xff] ^ tables[6][(lo >> 8) & 0xff] ^ tables[5][(lo >> 16) & 0xff] ^
        tables[4][lo >> 24] ^ tables[3][hi & 0xff] ^ tables[2][(hi >> 8) & 0xff] ^
        tables[1][(hi >> 16) & 0xff] ^ tables[0][hi >> 24];
  }
  for (; i < size; ++i)
    c = tables[0][(c ^ data[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::vector<std::uint8_t> model_codec::save(const isolation_forest& f) {
  writer w;
  w.raw(forest_magic.data(), forest_magic.size());
  w.u8(checkpoint_format);
  write_forest_body(w, f);
  w.seal();
  return std::move(w.bytes);
}

isolation_forest model_codec::load_forest(const std::uint8_t* data, std::size_t size) {
  auto r = open(data, size, forest_magic, "forest");
  auto f = read_forest_body(r);
  if (!r.done())
    throw codec_error("forest checkpoint corrupt: trailing bytes");
  return f;
}

std::vector<std::uint8_t> model_codec::save(const global_model& g) {
  writer w;
  w.raw(global_magic.data(), global_magic.size());
  w.u8(checkpoint_format);
  w.varint(g.dims_);
  w.varint(g.window_);
  w.varint(g.refit_every_);
  w.varint(g.head_);
  w.varint(g.filled_);
  w.varint(g.since_refit_);
  w.varint(g.next_tree_);
  w.varint(g.version_);
  w.raw(g.ring_.data(), g.filled_ * g.dims_ * sizeof(float));
  write_forest_body(w, g.forest_);
  w.seal();
  return std::move(w.bytes);
}

global_model model_codec::load_global_model(const std::uint8_t* data, std::size_t size,
                                            std::vector<std::pair<float, float>> domains) {
  auto r = open(data, size, global_magic, "global model");
  auto dims = r.count(isolation_forest::max_dims, "dims");
  auto window = r.count(max_global_window, "window");
  auto refit_every = r.count(max_global_window, "refit interval");
  auto head = r.count(window, "ring head");
  auto filled = r.count(window, "rows");
  auto since_refit = r.count(max_global_window, "refit counter");
  auto next_tree = r.count(max_trees, "next tree");
  auto version = r.varint();
  if (dims == 0 || window < 2)
    throw codec_error("global model checkpoint corrupt: settings");
  std::vector<float> ring(window * dims);
  r.read_into(ring.data(), filled * dims * sizeof(float));
  auto forest = read_forest_body(r);
  if (!r.done())
    throw codec_error("global model checkpoint corrupt: trailing bytes");
  if (forest.dims() != dims || next_tree >= forest.tree_count())
    throw codec_error("global model checkpoint corrupt: forest and rows disagree");
  global_model g(dims, forest.params(), window, refit_every, domains);
  g.ring_ = std::move(ring);
  g.head_ = head;
  g.filled_ = filled;
  g.since_refit_ = since_refit;
  g.next_tree_ = next_tree;
  g.version_ = version;
  forest.set_domains(std::move(domains));
  g.forest_ = std::move(forest);
  if (g.forest_.trained())
    g.snapshot_ = std::make_shared<const isolation_forest>(g.forest_);
  return g;
}

std::vector<std::uint8_t> model_codec::save(const user_model& m) {
  writer w;
  w.raw(user_magic.data(), user_magic.size());
  w.u8(checkpoint_format);
  const auto& p = m.params_;
  write_forest_params(w, p.forest);
  w.varint(p.window);
  w.varint(p.refit_every);
  w.varint(p.min_history);
  w.fixed(p.max_user_weight);
  w.fixed(p.threshold.quantile);
  w.fixed(p.threshold.floor);
  w.varint(p.threshold.warmup);
  w.fixed(p.threshold.medium_factor);
  w.fixed(p.threshold.high_factor);
  // Model state.
  w.varint(m.version_);
  w.varint(m.since_refit_);
  w.varint(m.next_tree_);
  w.u8(m.frozen_ ? 1 : 0);
  auto fixed_threshold = m.threshold_.override_value();
  w.u8(fixed_threshold ? 1 : 0);
  if (fixed_threshold)
    w.fixed(*fixed_threshold);
  w.zigzag(m.last_refit_ts_);
  w.zigzag(m.last_seen_ts_);
  w.zigzag(m.learned_.partition);
  w.zigzag(m.learned_.offset);
  const auto& q = m.threshold_.quantile();
  w.fixed(q.q_);
  w.varint(q.n_);
  for (auto v : q.height_)
    w.fixed(v);
  for (auto v : q.pos_)
    w.fixed(v);
  for (auto v : q.desired_)
    w.fixed(v);
  // History: dictionaries, window (timestamps as deltas), recent ring.
  const auto& h = m.history_;
  for (const auto& d : h.dictionaries()) {
    w.varint(d.values.size());
    for (std::size_t i = 0; i < d.values.size(); ++i) {
      w.str(d.values[i]);
      w.varint(d.counts[i]);
    }
  }
  w.varint(h.window().size());
  std::int64_t prev = 0;
  for (const auto& e : h.window()) {
    w.zigzag(e.timestamp - prev);
    prev = e.timestamp;
    w.fixed(e.amount);
    w.raw(e.value.data(), e.value.size());
  }
  w.varint(h.recent_transactions().size());
  prev = 0;
  for (const auto& e : h.recent_transactions()) {
    w.zigzag(e.timestamp - prev);
    prev = e.timestamp;
    w.raw(e.country.data(), 3);
  }
  w.varint(m.rows_.size());
  for (const auto& x : m.rows_)
    write_features(w, x);
  w.varint(m.pending_.size());
  for (const auto& pt : m.pending_) {
    w.str(pt.id);
    write_features(w, pt.x);
  }
  write_forest_body(w, m.forest_);
  w.seal();
  return std::move(w.bytes);
}

user_model model_codec::load_user_model(const std::uint8_t* data, std::size_t size) {
  auto r = open(data, size, user_magic, "user model");
  model_params p;
  p.forest = read_forest_params(r);
  p.window = r.count(max_window, "window");
  p.refit_every = r.count(max_window, "refit interval");
  p.min_history = r.count(max_window, "min history");
  p.max_user_weight = r.fixed<double>();
  p.threshold.quantile = r.fixed<double>();
  p.threshold.floor = r.fixed<double>();
  p.threshold.warmup = r.count(1u << 30, "threshold warm-up");
  p.threshold.medium_factor = r.fixed<double>();
  p.threshold.high_factor = r.fixed<double>();
  if (p.window < 1 || !(p.threshold.quantile > 0 && p.threshold.quantile < 1))
    throw codec_error("user model checkpoint corrupt: settings");
  user_model m(p);
  m.version_ = r.varint();
  m.since_refit_ = r.count(max_window, "refit counter");
  m.next_tree_ = r.count(static_cast<std::size_t>(p.forest.trees) - 1, "next tree");
  m.frozen_ = r.u8() != 0;
  if (r.u8())
    m.threshold_.set_override(r.fixed<double>());
  m.last_refit_ts_ = r.zigzag();
  m.last_seen_ts_ = r.zigzag();
  m.learned_.partition = static_cast<std::int32_t>(r.zigzag());
  m.learned_.offset = r.zigzag();
  auto& q = m.threshold_.quantile();
  q.q_ = r.fixed<double>();
  q.n_ = r.varint();
  for (auto& v : q.height_)
    v = r.fixed<double>();
  for (auto& v : q.pos_)
    v = r.fixed<double>();
  for (auto& v : q.desired_)
    v = r.fixed<double>();
  std::array<user_history::dictionary, field_count> dict;
  for (auto& d : dict) {
    auto n = r.count(user_history::overflow_value, "dictionary size");
    for (std::size_t i = 0; i < n; ++i) {
      d.values.push_back(r.str());
      d.counts.push_back(static_cast<std::uint16_t>(r.count(max_window, "value count")));
    }
  }
  auto n = r.count(p.window, "window entries");
  std::deque<user_history::entry> window;
  std::int64_t prev = 0;
  for (std::size_t i = 0; i < n; ++i) {
    user_history::entry e{};
    e.timestamp = prev + r.zigzag();
    prev = e.timestamp;
    e.amount = r.fixed<float>();
    for (std::size_t f = 0; f < field_count; ++f) {
      e.value[f] = r.u8();
      if (e.value[f] != user_history::overflow_value && e.value[f] >= dict[f].values.size())
        throw codec_error("user model checkpoint corrupt: value index");
    }
    window.push_back(e);
  }
  auto recent_n = r.count(user_history::recent_capacity, "recent entries");
  std::deque<user_history::recent> recent;
  prev = 0;
  for (std::size_t i = 0; i < recent_n; ++i) {
    user_history::recent e{};
    e.timestamp = prev + r.zigzag();
    prev = e.timestamp;
    for (int c = 0; c < 3; ++c)
      e.country[static_cast<std::size_t>(c)] = static_cast<char>(r.u8());
    recent.push_back(e);
  }
  m.history_.restore(p.window, std::move(window), std::move(recent), std::move(dict));
  auto rows_n = r.count(p.window, "training rows");
  for (std::size_t i = 0; i < rows_n; ++i)
    m.rows_.push_back(read_features(r));
  auto pending_n = r.count(user_model::pending_capacity, "pending");
  for (std::size_t i = 0; i < pending_n; ++i) {
    user_model::pending_txn pt;
    pt.id = r.str();
    pt.x = read_features(r);
    m.pending_.push_back(std::move(pt));
  }
  m.forest_ = read_forest_body(r);
  m.forest_.set_domains(user_feature_domains());
  if (m.forest_.dims() != user_feature_count)
    throw codec_error("user model checkpoint corrupt: forest has wrong dims");
  if (!r.done())
    throw codec_error("user model checkpoint corrupt: trailing bytes");
  return m;
}

} // namespace rtad::models
