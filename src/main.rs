fn main() {
    println!("adf");
}
