package org.tpmauth.eap.eapol;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The libc calls an AF_PACKET socket needs (Linux x86-64 / aarch64 constants). */
interface LinuxPacket extends Library {
    LinuxPacket C = Native.load("c", LinuxPacket.class);

    int AF_PACKET = 17;
    int SOCK_RAW = 3;
    int SOL_PACKET = 263;
    int PACKET_ADD_MEMBERSHIP = 1;
    int PACKET_MR_MULTICAST = 0;
    int SIOCGIFINDEX = 0x8933;
    int SIOCGIFHWADDR = 0x8927;
    int O_RDONLY = 0;
    int CLONE_NEWNET = 0x40000000;
    short POLLIN = 1;
    int EPERM = 1;
    int EACCES = 13;
    int EINTR = 4;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int length) throws LastErrorException;

    int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    int ioctl(int fd, long request, byte[] ifreq) throws LastErrorException;

    long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;
}
